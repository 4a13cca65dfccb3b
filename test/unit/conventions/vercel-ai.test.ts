import { describe, expect, it } from 'vitest';
import { readVercelAi } from '../../../src/conventions/vercel-ai.js';
import { detectLlmCall } from '../../../src/detect/detect.js';
import { toLlmRow } from '../../../src/rows/llm-row.js';
import { makeSpan } from '../../support/spans.js';
import { loadFixture, loadFixtures } from '../../support/span-fixtures.js';

/** The one span of a captured fixture with this name (the first when a tool loop repeats it). */
function fixtureSpan(path: string, name: string) {
  const span = loadFixture(path).spans.find((candidate) => candidate.name === name);
  if (span === undefined) throw new Error(`${path} has no span named ${name}`);
  return span;
}

const doGenerate = {
  'ai.operationId': 'ai.generateText.doGenerate',
  'ai.model.provider': 'openai.chat',
  'ai.model.id': 'gpt-4o-mini',
};

describe('Vercel AI SDK spans', () => {
  it('makes only the provider-call spans calls, by operation id or span name', () => {
    for (const operationId of [
      'ai.generateText.doGenerate',
      'ai.streamText.doStream',
      'ai.generateObject.doGenerate',
      'ai.streamObject.doStream',
    ]) {
      expect(detectLlmCall(makeSpan({ attributes: { ...doGenerate, 'ai.operationId': operationId } }))?.callType).toBe('chat');
    }
    for (const operationId of ['ai.embed.doEmbed', 'ai.embedMany.doEmbed']) {
      expect(detectLlmCall(makeSpan({ attributes: { ...doGenerate, 'ai.operationId': operationId } }))?.callType).toBe('embeddings');
    }
    // A processor that dropped the attribute (or a span limit) leaves the span name.
    expect(
      detectLlmCall(makeSpan({ name: 'ai.streamText.doStream', attributes: { 'ai.model.id': 'm', 'ai.usage.inputTokens': 3 } }))?.usage
        ?.promptTokens,
    ).toBe(3);
    expect(readVercelAi(makeSpan({ name: 'ai.streamText' }))).toEqual({ kind: 'aggregate' });
    expect(readVercelAi(makeSpan({ name: 'chat gpt-4o-mini' }))).toBeUndefined();
  });

  it('never makes the outer spans or tool calls rows, even when they carry gen_ai keys', () => {
    const usage = {
      'gen_ai.system': 'openai.chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 2650,
      'gen_ai.usage.output_tokens': 105,
    };
    for (const operationId of [
      'ai.generateText',
      'ai.streamText',
      'ai.generateObject',
      'ai.streamObject',
      'ai.embed',
      'ai.embedMany',
      'ai.toolCall',
      'ai.rerank',
    ]) {
      expect(detectLlmCall(makeSpan({ attributes: { ...usage, 'ai.operationId': operationId } }))).toBeUndefined();
    }
    // The outer span repeats the steps' summed usage (1250 + 1400).
    const outer = fixtureSpan('ai@7/legacy-stream-tool-call-openai-chat', 'ai.streamText');
    expect(outer.attributes['ai.usage.inputTokens']).toBe(2650);
    expect(detectLlmCall(outer)).toBeUndefined();
  });

  it('reads AI SDK 4 Anthropic usage as exclusive and takes cache reads and writes from provider metadata', () => {
    const call = detectLlmCall(fixtureSpan('ai@4/generate-text-anthropic', 'ai.generateText.doGenerate'))!;
    expect(call.usage).toEqual({
      promptTokens: 1500,
      completionTokens: 150,
      totalTokens: 1650,
      cachedInputTokens: 1000,
      cacheWriteTokens: 300,
      reasoningTokens: undefined,
    });
    expect(call).toMatchObject({
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-6',
      model: 'claude-sonnet-4-6-20250101',
      finishReasons: ['stop'],
    });
    // Also when the uncached input outweighs the cache, where the numbers alone cannot tell.
    const larger = detectLlmCall(
      makeSpan({
        attributes: {
          ...doGenerate,
          'ai.model.provider': 'anthropic.messages',
          'ai.usage.promptTokens': 5000,
          'ai.usage.completionTokens': 150,
          'ai.response.providerMetadata': JSON.stringify({ anthropic: { cacheCreationInputTokens: 300, cacheReadInputTokens: 1000 } }),
        },
      }),
    )!;
    expect(larger.usage).toMatchObject({ promptTokens: 6300, totalTokens: 6450 });
  });

  it('reads AI SDK 5 Anthropic usage from the raw usage in provider metadata (generateText) and cachedInputTokens (streamText)', () => {
    const generated = detectLlmCall(fixtureSpan('ai@5/generate-text-anthropic', 'ai.generateText.doGenerate'))!.usage;
    expect(generated).toMatchObject({ promptTokens: 1500, totalTokens: 1650, cachedInputTokens: 1000, cacheWriteTokens: 300 });
    const streamed = fixtureSpan('ai@5/stream-text-anthropic', 'ai.streamText.doStream');
    expect(streamed.attributes['ai.usage.inputTokens']).toBe(200);
    expect(detectLlmCall(streamed)!.usage).toMatchObject({
      promptTokens: 1500,
      totalTokens: 1650,
      cachedInputTokens: 1000,
      cacheWriteTokens: 300,
    });
  });

  it('takes AI SDK 6 and 7 usage as inclusive without adding the cache details again', () => {
    const usage = detectLlmCall(fixtureSpan('ai@6/generate-text-anthropic-thinking', 'ai.generateText.doGenerate'))!.usage;
    expect(usage).toEqual({
      promptTokens: 1510,
      completionTokens: 420,
      totalTokens: 1930,
      cachedInputTokens: 1000,
      cacheWriteTokens: 300,
      reasoningTokens: 300,
    });
    expect(detectLlmCall(fixtureSpan('ai@7/legacy-generate-text-openai-responses', 'ai.generateText.doGenerate'))!.usage).toEqual({
      promptTokens: 2200,
      completionTokens: 500,
      totalTokens: 2700,
      cachedInputTokens: 2000,
      cacheWriteTokens: undefined,
      reasoningTokens: 200,
    });
  });

  it('takes the V3 totals that AI SDK 6+ generateObject writes under the AI SDK 4 names as inclusive', () => {
    const objectStep = {
      ...doGenerate,
      'ai.operationId': 'ai.generateObject.doGenerate',
      'ai.model.provider': 'anthropic.messages',
      'ai.usage.promptTokens': 1500,
      'ai.usage.completionTokens': 150,
      'ai.response.providerMetadata': JSON.stringify({
        anthropic: { cacheCreationInputTokens: 300, usage: { cache_read_input_tokens: 1000 } },
      }),
    };
    const v6 = detectLlmCall(makeSpan({ attributes: { ...objectStep, 'ai.request.headers.user-agent': 'my-app/2.1 ai/6.0.326' } }))!;
    expect(v6.usage).toMatchObject({ promptTokens: 1500, totalTokens: 1650 });
    // The same numbers from AI SDK 5 are Anthropic's own: the input there excludes the cache.
    const v5 = detectLlmCall(
      makeSpan({ attributes: { ...objectStep, 'ai.usage.promptTokens': 200, 'ai.request.headers.user-agent': 'ai/5.0.277' } }),
    )!;
    expect(v5.usage).toMatchObject({ promptTokens: 1500, totalTokens: 1650, cachedInputTokens: 1000, cacheWriteTokens: 300 });
  });

  it('adds AI SDK 5 Google thoughts to the output, which the provider reports apart', () => {
    const google = { ...doGenerate, 'ai.model.provider': 'google.generative-ai', 'ai.model.id': 'gemini-2.5-flash' };
    const streamed = detectLlmCall(
      makeSpan({
        attributes: {
          ...google,
          'ai.operationId': 'ai.streamText.doStream',
          'ai.usage.inputTokens': 100,
          'ai.usage.outputTokens': 50,
          'ai.usage.totalTokens': 220,
          'ai.usage.reasoningTokens': 70,
          'ai.usage.cachedInputTokens': 40,
        },
      }),
    )!;
    expect(streamed.provider).toBe('gcp.gemini');
    expect(streamed.usage).toEqual({
      promptTokens: 100,
      completionTokens: 120,
      totalTokens: 220,
      cachedInputTokens: 40,
      cacheWriteTokens: undefined,
      reasoningTokens: 70,
    });
    const generated = detectLlmCall(
      makeSpan({
        attributes: {
          ...google,
          'ai.usage.promptTokens': 100,
          'ai.usage.completionTokens': 50,
          'ai.response.providerMetadata': JSON.stringify({
            google: { usageMetadata: { thoughtsTokenCount: 70, cachedContentTokenCount: 40 } },
          }),
        },
      }),
    )!;
    expect(generated.usage).toMatchObject({
      promptTokens: 100,
      completionTokens: 120,
      totalTokens: 220,
      cachedInputTokens: 40,
      reasoningTokens: 70,
    });
  });

  it('adds AI SDK 5 Bedrock cache reads and writes to the exclusive input', () => {
    const call = detectLlmCall(
      makeSpan({
        attributes: {
          ...doGenerate,
          'ai.operationId': 'ai.streamText.doStream',
          'ai.model.provider': 'amazon-bedrock',
          'ai.usage.inputTokens': 200,
          'ai.usage.outputTokens': 150,
          'ai.usage.totalTokens': 350,
          'ai.usage.cachedInputTokens': 1000,
          'ai.response.providerMetadata': JSON.stringify({ bedrock: { usage: { cacheWriteInputTokens: 300 } } }),
        },
      }),
    )!;
    expect(call.provider).toBe('aws.bedrock');
    expect(call.usage).toMatchObject({
      promptTokens: 1500,
      completionTokens: 150,
      totalTokens: 1650,
      cachedInputTokens: 1000,
      cacheWriteTokens: 300,
    });
  });

  it('reads AI SDK 4 OpenAI cache and reasoning from provider metadata, inside the inclusive counts', () => {
    expect(detectLlmCall(fixtureSpan('ai@4/generate-text-openai-chat', 'ai.generateText.doGenerate'))!.usage).toEqual({
      promptTokens: 1200,
      completionTokens: 300,
      totalTokens: 1500,
      cachedInputTokens: 1000,
      cacheWriteTokens: undefined,
      reasoningTokens: 120,
    });
  });

  it('has no usage when AI SDK 4 wrote NaN counts (an OpenAI stream without include_usage)', () => {
    const span = fixtureSpan('ai@4/stream-text-openai-chat', 'ai.streamText.doStream');
    expect(span.attributes['ai.usage.promptTokens']).toBeNaN();
    const row = toLlmRow(span, detectLlmCall(span)!);
    expect(row).toMatchObject({ has_usage: false, prompt_tokens: 0, cached_input_tokens: null });
  });

  it('reads embeddings usage from ai.usage.tokens', () => {
    const call = detectLlmCall(fixtureSpan('ai@5/embed-many-openai', 'ai.embedMany.doEmbed'))!;
    expect(call).toMatchObject({ callType: 'embeddings', provider: 'openai', model: 'text-embedding-3-small' });
    expect(call.usage).toMatchObject({ promptTokens: 21, totalTokens: 21, completionTokens: undefined });
  });

  it('takes time to first chunk in milliseconds from the attribute, else the first-chunk event', () => {
    const span = fixtureSpan('ai@6/stream-text-openai-chat', 'ai.streamText.doStream');
    expect(detectLlmCall(span)!.timeToFirstTokenMs).toBe(span.attributes['ai.response.msToFirstChunk']);
    const event = { name: 'ai.stream.firstChunk', time: [1_795_346_764, 20_123_457] as [number, number] };
    const fromEvent = { ...doGenerate, 'ai.operationId': 'ai.streamText.doStream' };
    expect(
      detectLlmCall(makeSpan({ attributes: fromEvent, events: [{ ...event, attributes: { 'ai.response.msToFirstChunk': 42.5 } }] }))!
        .timeToFirstTokenMs,
    ).toBe(42.5);
    // Without either, the event's time after the span's start (1_795_346_763.970123457 s).
    expect(detectLlmCall(makeSpan({ attributes: fromEvent, events: [event] }))!.timeToFirstTokenMs).toBeCloseTo(50, 6);
  });

  it('builds neutral documents from AI SDK 4 prompts and tool calls (args, result)', () => {
    const first = detectLlmCall(fixtureSpan('ai@4/tool-call-openai-chat', 'ai.generateText.doGenerate'))!;
    expect(JSON.parse(first.requestJson!)).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] },
      ],
      tools: [
        {
          type: 'function',
          name: 'getWeather',
          description: 'Get the weather for a city',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
            additionalProperties: false,
            $schema: 'http://json-schema.org/draft-07/schema#',
          },
        },
      ],
      parameters: { maxTokens: 256, temperature: 0.2, maxRetries: 0, toolChoice: { type: 'auto' } },
    });
    expect(JSON.parse(first.responseJson!)).toMatchObject({
      id: 'chatcmpl-fake6',
      model: 'gpt-4o-mini-2025-01-01',
      messages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_fake6', name: 'getWeather', arguments: { city: 'Paris' } }] }],
      finish_reasons: ['tool_calls'],
    });
    const second = loadFixture('ai@4/tool-call-openai-chat').spans.filter((span) => span.name === 'ai.generateText.doGenerate')[1]!;
    expect(JSON.parse(detectLlmCall(second)!.requestJson!).messages.slice(2)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_fake6', name: 'getWeather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_fake6', response: { city: 'Paris', forecast: 'sunny' } }] },
    ]);
  });

  it('builds neutral documents from AI SDK 5+ prompts and tool calls (input, output)', () => {
    const spans = loadFixture('ai@5/tool-call-openai-chat').spans.filter((span) => span.name === 'ai.generateText.doGenerate');
    const first = detectLlmCall(spans[0]!)!;
    // AI SDK 5 writes the response tool call input as JSON text; it is parsed like AI SDK 4's args.
    expect(JSON.parse(first.responseJson!).messages).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_fake5', name: 'getWeather', arguments: { city: 'Paris' } }] },
    ]);
    expect(JSON.parse(first.requestJson!).tools[0]).toMatchObject({ name: 'getWeather', parameters: { type: 'object' } });
    expect(JSON.parse(detectLlmCall(spans[1]!)!.requestJson!).messages[3]).toEqual({
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: 'call_fake5', response: { city: 'Paris', forecast: 'sunny' } }],
    });
  });

  it('puts reasoning, text and structured objects in the response message', () => {
    const thinking = detectLlmCall(fixtureSpan('ai@6/generate-text-anthropic-thinking', 'ai.generateText.doGenerate'))!;
    expect(JSON.parse(thinking.responseJson!).messages).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'The user wants a greeting; answer briefly.' },
          { type: 'text', content: 'Hello from the fake provider.' },
        ],
      },
    ]);
    const object = detectLlmCall(
      makeSpan({
        attributes: { ...doGenerate, 'ai.operationId': 'ai.generateObject.doGenerate', 'ai.response.object': '{"city":"Paris"}' },
      }),
    )!;
    expect(JSON.parse(object.responseJson!).messages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: '{"city":"Paris"}' }] },
    ]);
  });

  it('converts images and files in the prompt to OTel blob and uri parts', () => {
    const prompt = [
      {
        role: 'user',
        content: [
          { type: 'image', image: 'https://example.com/cat.png' },
          { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf' },
          { type: 'file', data: 'UklGRg==', mediaType: 'audio/wav' },
        ],
      },
    ];
    const call = detectLlmCall(makeSpan({ attributes: { ...doGenerate, 'ai.prompt.messages': JSON.stringify(prompt) } }))!;
    expect(JSON.parse(call.requestJson!).messages[0].parts).toEqual([
      { type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' },
      { type: 'blob', modality: 'document', mime_type: 'application/pdf', content: 'JVBERi0=' },
      { type: 'blob', modality: 'audio', mime_type: 'audio/wav', content: 'UklGRg==' },
    ]);
  });

  it('lands telemetry metadata, runtime context and the function id in metadata, and fills ids from well-known keys', () => {
    const call = detectLlmCall(
      makeSpan({
        attributes: {
          ...doGenerate,
          'ai.telemetry.functionId': 'support-bot',
          'ai.telemetry.metadata.userId': 'user-1',
          'ai.telemetry.metadata.sessionId': 'session-1',
          'ai.telemetry.metadata.agent_id': 'agent-7',
          'ai.telemetry.metadata.tier': 'pro',
          'ai.settings.context.run_id': 'run-3',
          'ai.settings.maxOutputTokens': 256,
        },
      }),
    )!;
    expect(call).toMatchObject({ userId: 'user-1', conversationId: 'session-1', agentId: 'agent-7', runId: 'run-3' });
    expect(call.metadata).toEqual({
      function_id: 'support-bot',
      userId: 'user-1',
      sessionId: 'session-1',
      agent_id: 'agent-7',
      tier: 'pro',
      run_id: 'run-3',
    });
    // The runtime context is metadata, not a model parameter.
    expect(JSON.parse(call.requestJson!).parameters).toEqual({ maxOutputTokens: 256 });
    expect(
      detectLlmCall(makeSpan({ attributes: { ...doGenerate, 'ai.settings.temperature': 0, 'ai.telemetry.functionId': 'f' } }))!.agentId,
    ).toBeUndefined();
  });

  it('still produces a row from truncated or malformed attributes', () => {
    const call = detectLlmCall(
      makeSpan({
        attributes: {
          ...doGenerate,
          'ai.prompt.messages': '[{"role":"user","content":[{"type":"text","text":"Summarize this very long',
          'ai.prompt.tools': ['{"type":"function","name":"trunc'],
          'ai.response.toolCalls': 'not json',
          'ai.response.providerMetadata': '{"anthropic":',
          'ai.usage.promptTokens': 12,
          'ai.usage.completionTokens': 'x',
        },
      }),
    )!;
    expect(call.usage).toMatchObject({ promptTokens: 12, completionTokens: undefined, totalTokens: 12 });
    expect(JSON.parse(call.requestJson!)).toMatchObject({
      messages: '[{"role":"user","content":[{"type":"text","text":"Summarize this very long',
      tools: ['{"type":"function","name":"trunc'],
    });
    expect(call.responseJson).toBeUndefined();
  });
});

describe('AI SDK 7 GenAI-semconv output', () => {
  it('is left to the GenAI module: the AI SDK module claims none of its spans', () => {
    const spans = loadFixtures('ai@7')
      .filter((fixture) => fixture.scenario.startsWith('genai-'))
      .flatMap((fixture) => fixture.spans);
    expect(spans.length).toBeGreaterThan(0);
    for (const span of spans) expect(readVercelAi(span)).toBeUndefined();
  });
});
