import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { detectLlmCall } from '../../../src/detect/detect.js';
import { parseTableDefinition } from '../../../src/schema/ddl.js';
import { toLlmRow } from '../../../src/rows/llm-row.js';
import { makeSpan } from '../../support/spans.js';

const chat = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
};

describe('OTel GenAI spans', () => {
  it('detects inference and embeddings operations as calls and agent/tool/workflow spans as aggregates', () => {
    for (const operation of ['chat', 'text_completion', 'generate_content', 'embeddings']) {
      expect(detectLlmCall(makeSpan({ attributes: { ...chat, 'gen_ai.operation.name': operation } }))).toBeDefined();
    }
    for (const operation of ['invoke_agent', 'create_agent', 'execute_tool', 'invoke_workflow']) {
      expect(
        detectLlmCall(makeSpan({ attributes: { ...chat, 'gen_ai.operation.name': operation, 'gen_ai.usage.input_tokens': 5 } })),
      ).toBeUndefined();
    }
    expect(detectLlmCall(makeSpan({ attributes: { 'http.method': 'POST' } }))).toBeUndefined();
  });

  it('normalizes the deprecated gen_ai.system spellings', () => {
    const call = (system: string) =>
      detectLlmCall(makeSpan({ attributes: { 'gen_ai.system': system, 'gen_ai.request.model': 'm' } }))?.provider;
    expect(call('OpenAI')).toBe('openai');
    expect(call('openai.chat')).toBe('openai');
    expect(call('anthropic.messages')).toBe('anthropic');
    expect(call('google.vertex.chat')).toBe('gcp.vertex_ai');
    expect(call('amazon-bedrock')).toBe('aws.bedrock');
    expect(call('xai')).toBe('x_ai');
    expect(call('az.ai.openai')).toBe('azure.ai.openai');
  });

  it('reads deprecated token keys and keeps unreported cache and reasoning as undefined', () => {
    const usage = detectLlmCall(
      makeSpan({ attributes: { ...chat, 'gen_ai.usage.prompt_tokens': 12, 'gen_ai.usage.completion_tokens': 3 } }),
    )?.usage;
    expect(usage).toEqual({
      promptTokens: 12,
      completionTokens: 3,
      totalTokens: 15,
      cachedInputTokens: undefined,
      cacheWriteTokens: undefined,
      reasoningTokens: undefined,
    });
  });

  it('adds cache tokens to input when the emitter evidently reported input without them', () => {
    const usage = detectLlmCall(
      makeSpan({
        attributes: {
          ...chat,
          'gen_ai.usage.input_tokens': 200,
          'gen_ai.usage.output_tokens': 10,
          'gen_ai.usage.cache_read_input_tokens': 1000,
          'gen_ai.usage.cache_creation_input_tokens': 300,
        },
      }),
    )?.usage;
    expect(usage).toMatchObject({ promptTokens: 1500, cachedInputTokens: 1000, cacheWriteTokens: 300, totalTokens: 1510 });
  });

  it('has no usage when none was reported (not zero)', () => {
    const span = makeSpan({ attributes: chat });
    const row = toLlmRow(span, detectLlmCall(span)!);
    expect(row).toMatchObject({ has_usage: false, prompt_tokens: 0, cached_input_tokens: null, reasoning_tokens: null });
  });

  it('takes the error from error.type, the span status and the exception event', () => {
    const span = makeSpan({
      status: { code: SpanStatusCode.ERROR, message: '429 Too Many Requests' },
      attributes: { ...chat, 'error.type': 'RateLimitError' },
      events: [{ name: 'exception', time: [1, 0], attributes: { 'exception.type': 'APIError', 'exception.message': 'rate limited' } }],
    });
    const row = toLlmRow(span, detectLlmCall(span)!);
    expect(row).toMatchObject({
      is_error: true,
      error_type: 'RateLimitError',
      error_message: '429 Too Many Requests',
      finish_reasons: ['error'],
    });
    const bare = makeSpan({
      attributes: chat,
      events: [{ name: 'exception', time: [1, 0], attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'timed out' } }],
    });
    expect(toLlmRow(bare, detectLlmCall(bare)!)).toMatchObject({ is_error: true, error_type: 'TimeoutError', error_message: 'timed out' });
  });

  it('builds provider-neutral request and response documents', () => {
    const span = makeSpan({
      attributes: {
        ...chat,
        'gen_ai.request.max_tokens': 256,
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]),
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]),
        'gen_ai.tool.definitions': 'not json',
        'gen_ai.response.id': 'resp_1',
        'gen_ai.response.finish_reasons': ['tool_call'],
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', name: 'f', arguments: { a: 1 } }] }]),
      },
    });
    const call = detectLlmCall(span)!;
    expect(JSON.parse(call.requestJson!)).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }],
      system: [{ type: 'text', content: 'Be brief.' }],
      tools: 'not json',
      parameters: { max_tokens: 256 },
    });
    expect(JSON.parse(call.responseJson!)).toEqual({
      id: 'resp_1',
      messages: [{ role: 'assistant', parts: [{ type: 'tool_call', name: 'f', arguments: { a: 1 } }] }],
      finish_reasons: ['tool_calls'],
    });
  });

  it('converts time to first chunk from seconds to milliseconds', () => {
    expect(detectLlmCall(makeSpan({ attributes: { ...chat, 'gen_ai.response.time_to_first_chunk': 0.25 } }))?.timeToFirstTokenMs).toBe(250);
  });

  it('builds rows with exactly the columns of ddl/llm_traces.sql', () => {
    const span = makeSpan({ attributes: chat });
    const names = parseTableDefinition('llm_traces')
      .columns.filter((c) => !c.computed)
      .map((c) => c.name);
    expect(Object.keys(toLlmRow(span, detectLlmCall(span)!)).sort()).toEqual(names.sort());
  });
});

describe('provider and usage spellings seen in real instrumentations', () => {
  it('normalizes OpenInference and AI SDK provider ids', () => {
    const provider = (system: string) =>
      detectLlmCall(makeSpan({ attributes: { 'gen_ai.system': system, 'gen_ai.request.model': 'm' } }))?.provider;
    expect(provider('mistralai')).toBe('mistral_ai');
    expect(provider('amazon')).toBe('aws.bedrock');
    expect(provider('vertex.anthropic.messages')).toBe('gcp.vertex_ai');
  });

  it("reads the Anthropic SDK's cache_write key and recomputes a total over exclusive counts", () => {
    const usage = detectLlmCall(
      makeSpan({
        attributes: {
          ...chat,
          'gen_ai.usage.input_tokens': 200,
          'gen_ai.usage.output_tokens': 50,
          'gen_ai.usage.total_tokens': 250,
          'gen_ai.usage.cache_read.input_tokens': 1000,
          'gen_ai.usage.cache_write.input_tokens': 300,
        },
      }),
    )?.usage;
    expect(usage).toMatchObject({ promptTokens: 1500, completionTokens: 50, totalTokens: 1550, cacheWriteTokens: 300 });
  });
});

describe('AI SDK 7 GenAI spans', () => {
  it('reads reasoning tokens from the opt-in supplemental attribute', () => {
    const usage = detectLlmCall(
      makeSpan({
        attributes: {
          ...chat,
          'gen_ai.usage.input_tokens': 10,
          'gen_ai.usage.output_tokens': 50,
          'ai.usage.outputTokenDetails.reasoningTokens': 30,
        },
      }),
    )?.usage;
    expect(usage).toMatchObject({ completionTokens: 50, reasoningTokens: 30 });
  });
});
