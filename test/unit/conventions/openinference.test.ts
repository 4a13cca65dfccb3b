import { describe, expect, it } from 'vitest';
import { readOpenInference } from '../../../src/conventions/openinference.js';
import { detectLlmCall } from '../../../src/detect/detect.js';
import { makeSpan } from '../../support/spans.js';
import { loadFixture } from '../../support/span-fixtures.js';

const llm = {
  'openinference.span.kind': 'LLM',
  'llm.system': 'openai',
  'llm.model_name': 'gpt-4o-mini-2025-01-01',
};

const anthropicScope = (version: string) => ({ name: '@arizeai/openinference-instrumentation-anthropic', version });

/** An Anthropic Messages response as the JS instrumentation stores it in `output.value`. */
const anthropicResponse = JSON.stringify({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6-20250101',
  content: [{ type: 'text', text: 'Hello.' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 200, cache_creation_input_tokens: 300, cache_read_input_tokens: 1000, output_tokens: 150 },
});

describe('OpenInference spans', () => {
  it('makes LLM and EMBEDDING spans calls and every other kind a non-call that outranks lower conventions', () => {
    expect(detectLlmCall(makeSpan({ attributes: llm }))?.callType).toBe('chat');
    expect(detectLlmCall(makeSpan({ attributes: { ...llm, 'openinference.span.kind': 'EMBEDDING' } }))?.callType).toBe('embeddings');
    const repeatsUsage = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'llm.token_count.prompt': 1200 };
    for (const kind of ['AGENT', 'CHAIN', 'TOOL', 'RETRIEVER', 'RERANKER', 'GUARDRAIL', 'EVALUATOR', 'PROMPT', 'chain']) {
      expect(detectLlmCall(makeSpan({ attributes: { ...repeatsUsage, 'openinference.span.kind': kind } }))).toBeUndefined();
    }
    expect(readOpenInference(makeSpan({ attributes: { 'openinference.span.kind': 'UNKNOWN' } }))).toBeUndefined();
  });

  it('reads an OpenAI chat span: models, provider, inclusive usage, finish reason and neutral documents', () => {
    const call = detectLlmCall(loadFixture('openinference-openai@4/openai6-chat-tool-call').spans[0]!)!;
    expect(call).toMatchObject({
      callType: 'chat',
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      model: 'gpt-4o-mini-2025-01-01',
      finishReasons: ['tool_calls'],
      usage: { promptTokens: 1250, completionTokens: 45, totalTokens: 1295, cachedInputTokens: 1000, reasoningTokens: 20 },
    });
    expect(JSON.parse(call.requestJson!)).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'getWeather',
            description: 'Get the weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      parameters: { temperature: 0.2, max_tokens: 256 },
    });
    expect(JSON.parse(call.responseJson!)).toMatchObject({
      id: 'chatcmpl-fake4',
      messages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_fake4', name: 'getWeather', arguments: { city: 'Paris' } }] }],
    });
    expect(JSON.parse(call.llmConfigJson!)).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 256 });
  });

  it('reads an Anthropic span: the system prompt from the invocation parameters, tool results, reasoning', () => {
    const call = detectLlmCall(loadFixture('openinference-anthropic@0.2/anthropic1-messages-tool-result').spans[0]!)!;
    const request = JSON.parse(call.requestJson!);
    expect(request.system).toEqual([{ type: 'text', content: 'You are terse.' }]);
    expect(request.messages.slice(1)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_1', name: 'getWeather', arguments: { city: 'Paris' } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'toolu_1', response: { forecast: 'sunny' } }] },
    ]);
    expect(request.parameters).toEqual({ max_tokens: 256, temperature: 0.2 });
    const thinking = detectLlmCall(loadFixture('openinference-anthropic@0.2/anthropic1-messages-thinking').spans[0]!)!;
    expect(JSON.parse(thinking.responseJson!).messages[0].parts).toEqual([
      { type: 'reasoning', content: 'The user wants a greeting; answer briefly.' },
      { type: 'text', content: 'Hello from the fake provider.' },
    ]);
    expect(thinking.usage).toMatchObject({ promptTokens: 1510, completionTokens: 420, cachedInputTokens: 1000, cacheWriteTokens: 300 });
  });

  it('restores the cache that the Anthropic instrumentation before 0.2 left out, from the raw response', () => {
    // 0.1.x: prompt = Anthropic's input_tokens, total = input + output, no cache details.
    const old = {
      ...llm,
      'llm.system': 'anthropic',
      'llm.token_count.prompt': 200,
      'llm.token_count.completion': 150,
      'llm.token_count.total': 350,
      'output.value': anthropicResponse,
      'output.mime_type': 'application/json',
    };
    expect(detectLlmCall(makeSpan({ scope: anthropicScope('0.1.22'), attributes: old }))!.usage).toEqual({
      promptTokens: 1500,
      completionTokens: 150,
      totalTokens: 1650,
      cachedInputTokens: 1000,
      cacheWriteTokens: 300,
      reasoningTokens: undefined,
    });
    // A streamed call's output is text: the counts stay as reported.
    const streamed = { ...old, 'output.value': 'Hello.', 'output.mime_type': 'text/plain' };
    expect(detectLlmCall(makeSpan({ scope: anthropicScope('0.1.22'), attributes: streamed }))!.usage).toMatchObject({
      promptTokens: 200,
      totalTokens: 350,
    });
    // 0.2 already includes the cache and says so in the details.
    const current = {
      ...old,
      'llm.token_count.prompt': 1500,
      'llm.token_count.total': 1650,
      'llm.token_count.prompt_details.cache_read': 1000,
      'llm.token_count.prompt_details.cache_write': 300,
    };
    expect(detectLlmCall(makeSpan({ scope: anthropicScope('0.2.8'), attributes: current }))!.usage).toMatchObject({
      promptTokens: 1500,
      totalTokens: 1650,
    });
  });

  it('adds cache counts to a prompt count that is evidently without them', () => {
    const usage = detectLlmCall(
      makeSpan({
        attributes: {
          ...llm,
          'llm.token_count.prompt': 200,
          'llm.token_count.completion': 10,
          'llm.token_count.prompt_details.cache_read': 1000,
        },
      }),
    )!.usage;
    expect(usage).toMatchObject({ promptTokens: 1200, completionTokens: 10, totalTokens: 1210, cachedInputTokens: 1000 });
  });

  it('reads session, user, tags and the metadata JSON, whose well-known keys fill the ids', () => {
    const call = detectLlmCall(
      makeSpan({
        attributes: {
          ...llm,
          'session.id': 'session-1',
          'user.id': 'user-1',
          'tag.tags': ['beta', 'support'],
          metadata: JSON.stringify({
            session_id: 'ignored',
            agent_id: 'agent-7',
            run_id: 'run-3',
            organizationId: 'org-1',
            retries: 2,
            nested: { a: 1 },
          }),
        },
      }),
    )!;
    expect(call).toMatchObject({
      conversationId: 'session-1',
      userId: 'user-1',
      agentTags: ['beta', 'support'],
      agentId: 'agent-7',
      runId: 'run-3',
      organizationId: 'org-1',
    });
    expect(call.metadata).toEqual({
      session_id: 'ignored',
      agent_id: 'agent-7',
      run_id: 'run-3',
      organizationId: 'org-1',
      retries: '2',
      nested: '{"a":1}',
    });
    expect(detectLlmCall(makeSpan({ attributes: { ...llm, metadata: '{"user_id":"user-9"}' } }))!.userId).toBe('user-9');
  });

  it('falls back to input.value and output.value when no flattened messages were recorded', () => {
    const json = detectLlmCall(
      makeSpan({
        attributes: {
          ...llm,
          'input.value': '{"model":"gpt-4o-mini","input":"Say hello."}',
          'input.mime_type': 'application/json',
          'output.value': anthropicResponse,
        },
      }),
    )!;
    // JSON payloads are the instrumentations' raw provider request and response: kept verbatim.
    expect(json.requestJson).toBe('{"model":"gpt-4o-mini","input":"Say hello."}');
    expect(json.responseJson).toBe(anthropicResponse);
    const text = detectLlmCall(makeSpan({ attributes: { ...llm, 'input.value': 'Say hello.', 'output.value': 'Hello.' } }))!;
    expect(JSON.parse(text.requestJson!)).toEqual({
      model: 'gpt-4o-mini-2025-01-01',
      messages: [{ role: 'user', parts: [{ type: 'text', content: 'Say hello.' }] }],
    });
    expect(JSON.parse(text.responseJson!)).toEqual({
      model: 'gpt-4o-mini-2025-01-01',
      messages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Hello.' }] }],
    });
  });

  it('reads the legacy completions shape (llm.prompts, llm.choices) as a text completion', () => {
    const call = detectLlmCall(
      makeSpan({ attributes: { ...llm, 'llm.prompts.0.prompt.text': 'Once upon', 'llm.choices.0.completion.text': ' a time' } }),
    )!;
    expect(call.callType).toBe('text_completion');
    expect(JSON.parse(call.requestJson!).messages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Once upon' }] }]);
    expect(JSON.parse(call.responseJson!).messages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: ' a time' }] }]);
  });

  it('takes time to first token from the Python instrumentation stream event', () => {
    const span = makeSpan({ attributes: llm, events: [{ name: 'First Token Stream Event', time: [1_795_346_764, 220_123_457] }] });
    expect(detectLlmCall(span)!.timeToFirstTokenMs).toBeCloseTo(250, 6);
  });

  it('still produces a row from malformed JSON attributes', () => {
    const call = detectLlmCall(
      makeSpan({
        attributes: {
          ...llm,
          metadata: '{"user_id": "trunc',
          'llm.invocation_parameters': '{"model": "gpt-4o',
          'llm.input_messages.0.message.role': 'user',
          'llm.input_messages.0.message.content': 'Hi',
          'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'lookup',
          'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"q": ',
          'llm.token_count.prompt': 'NaN',
        },
      }),
    )!;
    expect(call.metadata).toBeUndefined();
    expect(call.usage).toBeUndefined();
    expect(call).toMatchObject({ requestModel: 'gpt-4o-mini-2025-01-01', llmConfigJson: '{"model": "gpt-4o' });
    expect(JSON.parse(call.responseJson!).messages[0].parts).toEqual([{ type: 'tool_call', name: 'lookup', arguments: '{"q": ' }]);
  });
});

describe('OpenInference provided cost', () => {
  it('takes llm.cost.* as the provided cost', () => {
    const call = detectLlmCall(
      makeSpan({
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'gpt-4o',
          'llm.cost.total': 0.0042,
          'llm.cost.prompt': 0.003,
          'llm.cost.completion': 0.0012,
        },
      }),
    );
    expect(call?.providedCost).toEqual({ totalUsd: 0.0042, inputUsd: 0.003, outputUsd: 0.0012 });
  });
});
