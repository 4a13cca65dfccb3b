import { describe, expect, it } from 'vitest';
import { readOpenLlmetry } from '../../../src/conventions/openllmetry.js';
import { detectLlmCall } from '../../../src/detect/detect.js';
import { makeSpan } from '../../support/spans.js';
import { loadFixture } from '../../support/span-fixtures.js';

const anthropicScope = (version: string) => ({ name: '@traceloop/instrumentation-anthropic', version });

/** The current (OTel GenAI) shape of a Traceloop Anthropic chat span. */
const currentAnthropic = {
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'claude-sonnet-4-6',
  'gen_ai.usage.input_tokens': 200,
  'gen_ai.usage.output_tokens': 150,
  'gen_ai.usage.total_tokens': 350,
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'gen_ai.usage.cache_creation.input_tokens': 300,
};

describe('OpenLLMetry / Traceloop spans', () => {
  it('makes the SDK decorator spans aggregates, even when they carry LLM keys', () => {
    for (const kind of ['workflow', 'task', 'agent', 'tool']) {
      const span = makeSpan({
        attributes: {
          'traceloop.span.kind': kind,
          'gen_ai.system': 'OpenAI',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.prompt_tokens': 10,
        },
      });
      expect(detectLlmCall(span)).toBeUndefined();
    }
  });

  it('reads the flattened shape: request type, capitalized system, prompts, completions and tool calls', () => {
    const call = detectLlmCall(loadFixture('traceloop-openai@0.22/openai6-chat-tool-call').spans[0]!)!;
    expect(call).toMatchObject({
      callType: 'chat',
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      model: 'gpt-4o-mini-2025-01-01',
      finishReasons: ['tool_calls'],
      usage: { promptTokens: 1250, completionTokens: 45, totalTokens: 1295 },
    });
    expect(JSON.parse(call.requestJson!)).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }],
      tools: [
        {
          type: 'function',
          name: 'getWeather',
          description: 'Get the weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      parameters: { max_tokens: 256, temperature: 0.2 },
    });
    expect(JSON.parse(call.responseJson!).messages).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'getWeather', arguments: { city: 'Paris' } }] },
    ]);
  });

  it('turns JSON content blocks (Anthropic system prompt, thinking) into parts', () => {
    const call = detectLlmCall(loadFixture('traceloop-anthropic@0.22/messages-thinking').spans[0]!)!;
    expect(call.provider).toBe('anthropic');
    expect(JSON.parse(call.requestJson!).messages[0]).toEqual({ role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] });
    expect(JSON.parse(call.responseJson!).messages[0].parts).toEqual([
      { type: 'reasoning', content: 'The user wants a greeting; answer briefly.' },
      { type: 'text', content: 'Hello from the fake provider.' },
    ]);
    const blocks = JSON.stringify([
      { type: 'tool_use', id: 'toolu_1', name: 'getWeather', input: { city: 'Paris' } },
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0=' } },
    ]);
    const parts = detectLlmCall(
      makeSpan({ attributes: { 'llm.request.type': 'chat', 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': blocks } }),
    )!;
    expect(JSON.parse(parts.requestJson!).messages[0].parts).toEqual([
      { type: 'tool_call', id: 'toolu_1', name: 'getWeather', arguments: { city: 'Paris' } },
      { type: 'tool_call_response', id: 'toolu_1', response: 'sunny' },
      { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0=' },
    ]);
  });

  it('adds the cache to Anthropic input, which every released instrumentation reports without it', () => {
    const span = loadFixture('traceloop-anthropic@0.27/messages-cached').spans[0]!;
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(200);
    expect(detectLlmCall(span)!.usage).toEqual({
      promptTokens: 1500,
      completionTokens: 150,
      totalTokens: 1650,
      cachedInputTokens: 1000,
      cacheWriteTokens: 300,
      reasoningTokens: undefined,
    });
    // Below the cache size too, where the numbers alone cannot tell.
    const small = { ...currentAnthropic, 'gen_ai.usage.input_tokens': 5000, 'gen_ai.usage.total_tokens': 5150 };
    expect(detectLlmCall(makeSpan({ scope: anthropicScope('0.27.0'), attributes: small }))!.usage).toMatchObject({
      promptTokens: 6300,
      totalTokens: 6450,
    });
    // A later release is taken at its word (the repository moved to inclusive input after 0.27.0).
    const later = { ...currentAnthropic, 'gen_ai.usage.input_tokens': 1500, 'gen_ai.usage.total_tokens': 1650 };
    expect(detectLlmCall(makeSpan({ scope: anthropicScope('0.28.0'), attributes: later }))!.usage).toMatchObject({
      promptTokens: 1500,
      totalTokens: 1650,
    });
    expect(detectLlmCall(makeSpan({ scope: anthropicScope('1.0.0'), attributes: later }))!.usage).toMatchObject({ promptTokens: 1500 });
  });

  it('keeps the raw input of the 0.22 Anthropic instrumentation, which reports no cache at all', () => {
    const usage = detectLlmCall(loadFixture('traceloop-anthropic@0.22/messages-cached').spans[0]!)!.usage;
    expect(usage).toEqual({
      promptTokens: 200,
      completionTokens: 150,
      totalTokens: 350,
      cachedInputTokens: undefined,
      cacheWriteTokens: undefined,
      reasoningTokens: undefined,
    });
  });

  it('lands association properties in metadata and fills ids from their well-known keys', () => {
    const call = detectLlmCall(
      makeSpan({
        scope: { name: '@traceloop/instrumentation-openai', version: '0.27.0' },
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'traceloop.association.properties.user_id': 'user-1',
          'traceloop.association.properties.session_id': 'session-1',
          'traceloop.association.properties.customer_id': 'cust-9',
        },
      }),
    )!;
    expect(call).toMatchObject({ userId: 'user-1', conversationId: 'session-1', provider: 'openai', callType: 'chat' });
    expect(call.metadata).toEqual({ user_id: 'user-1', session_id: 'session-1', customer_id: 'cust-9' });
  });

  it('claims only LLM spans: not other Traceloop instrumentations or bare association properties', () => {
    expect(
      readOpenLlmetry(makeSpan({ scope: { name: '@traceloop/instrumentation-pinecone' }, attributes: { 'db.system': 'pinecone' } })),
    ).toBeUndefined();
    expect(readOpenLlmetry(makeSpan({ attributes: { 'traceloop.association.properties.user_id': 'u' } }))).toBeUndefined();
    // `gen_ai.prompt.name` is the semconv's prompt template name, not a flattened prompt.
    expect(readOpenLlmetry(makeSpan({ attributes: { 'gen_ai.prompt.name': 'greeting' } }))).toBeUndefined();
  });

  it('maps request types and the legacy parameter keys', () => {
    const call = (type: string) =>
      detectLlmCall(
        makeSpan({ attributes: { 'llm.request.type': type, 'gen_ai.system': 'Cohere', 'gen_ai.request.model': 'command-r' } }),
      )!;
    expect(call('chat').callType).toBe('chat');
    expect(call('completion').callType).toBe('text_completion');
    expect(call('embedding').callType).toBe('embeddings');
    expect(call('rerank').callType).toBe('rerank');
    const params = detectLlmCall(
      makeSpan({
        attributes: {
          'llm.request.type': 'chat',
          'gen_ai.request.model': 'command-r',
          'gen_ai.request.temperature': 0.3,
          'llm.top_k': 40,
          'llm.chat.stop_sequences': ['END'],
          'gen_ai.prompt.0.role': 'user',
          'gen_ai.prompt.0.content': 'Hi',
        },
      }),
    )!;
    expect(JSON.parse(params.requestJson!).parameters).toEqual({ temperature: 0.3, top_k: 40, stop_sequences: ['END'] });
  });

  it('still produces a row from truncated content', () => {
    const call = detectLlmCall(
      makeSpan({
        attributes: {
          'llm.request.type': 'chat',
          'gen_ai.prompt.0.role': 'user',
          'gen_ai.prompt.0.content': '[{"type":"text","text":"cut',
          'gen_ai.completion.0.role': 'assistant',
          'gen_ai.completion.0.tool_calls.0.name': 'f',
          'gen_ai.completion.0.tool_calls.0.arguments': '{"a":',
          'llm.usage.total_tokens': 'many',
        },
      }),
    )!;
    expect(call.usage).toBeUndefined();
    expect(JSON.parse(call.requestJson!).messages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: '[{"type":"text","text":"cut' }] },
    ]);
    expect(JSON.parse(call.responseJson!).messages[0].parts).toEqual([{ type: 'tool_call', name: 'f', arguments: '{"a":' }]);
  });
});
