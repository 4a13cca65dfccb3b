/**
 * OpenInference (Arize) instrumentations: openai on openai 6 (it supports 5 to 7 only) and
 * anthropic on @anthropic-ai/sdk 1.x and 0.137, alone and together with the SDK's own tracing.
 * Both are built on @opentelemetry/instrumentation 0.46, so they are hooked with their own
 * `manuallyInstrument`.
 *
 * What the libraries carry (test/fixtures/spans/openinference-*): INTERNAL spans with
 * `openinference.span.kind` LLM or EMBEDDING; OpenAI input inclusive with cache-read and
 * reasoning details, no token counts on Chat streams, none on embeddings; Anthropic input
 * inclusive with cache read and write; the raw response in `output.value`; no time to first
 * token. OpenAI failures get no span; Anthropic failures an ERROR span with an exception event.
 */
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { AnthropicInstrumentation } from '@arizeai/openinference-instrumentation-anthropic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_USAGE } from '../../support/fake-provider.js';
import { anthropicCalls, anthropicClass, type AnthropicConstructor } from './anthropic-calls.js';
import { PROVIDER_ERROR_MESSAGES, anthropicChatRow, expectRows, failed, openAiChatRow, type ExpectedRow } from './expected.js';
import { NO_USAGE, inclusiveTokens } from '../../support/token-truth.js';
import { describeNativeTracing } from './native-tracing.js';
import { installedVersion, requireCjs, startLab, type Lab } from './harness.js';
import { CHAT_MODEL, EMBEDDING_MODEL, openAiCalls, type OpenAiConstructor } from './openai-calls.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(() => lab?.close());

describe(`@arizeai/openinference-instrumentation-openai@${installedVersion('@arizeai/openinference-instrumentation-openai')} on openai@${installedVersion('openai')}`, () => {
  let calls: ReturnType<typeof openAiCalls>;
  beforeAll(() => {
    const instrumentation = new OpenAIInstrumentation({ instrumentationConfig: { enabled: false }, tracerProvider: lab.tracerProvider });
    const module = requireCjs('openai') as Parameters<OpenAIInstrumentation['manuallyInstrument']>[0] & { OpenAI: OpenAiConstructor };
    instrumentation.manuallyInstrument(module);
    calls = openAiCalls(module.OpenAI, lab.fake);
  });

  const row = (spanName: string, fields: ExpectedRow): ExpectedRow => openAiChatRow({ span_name: spanName, ...fields });

  it('records a chat completion with cache-read and reasoning details', async () => {
    expectRows(await lab.run(calls.chat), [
      row('OpenAI Chat Completions', { ...inclusiveTokens('openai.chat', FAKE_USAGE['openai.chat'].text), finish_reasons: ['stop'] }),
    ]);
  });

  it('records a tool call', async () => {
    expectRows(await lab.run(calls.chatToolCall), [
      row('OpenAI Chat Completions', {
        ...inclusiveTokens('openai.chat', FAKE_USAGE['openai.chat']['tool-call']),
        finish_reasons: ['tool_calls'],
      }),
    ]);
  });

  it('records a chat stream without usage (the library counts no streamed tokens)', async () => {
    // The stream span names only the requested model.
    expectRows(await lab.run(calls.chatStream), [
      row('OpenAI Chat Completions', { ...NO_USAGE, model: CHAT_MODEL, finish_reasons: ['stop'] }),
    ]);
  });

  it('records Responses API calls, streamed or not; the completed response in output.value is the stop', async () => {
    const expected = row('OpenAI Responses', {
      ...inclusiveTokens('openai.responses', FAKE_USAGE['openai.responses'].text),
      finish_reasons: ['stop'],
    });
    expectRows(await lab.run(calls.responses), [expected]);
    expectRows(await lab.run(calls.responsesStream), [expected]);
  });

  it('records an embeddings call without usage (the span has no token count)', async () => {
    expectRows(await lab.run(calls.embeddings), [
      row('OpenAI Embeddings', {
        ...NO_USAGE,
        call_type: 'embeddings',
        model: EMBEDDING_MODEL,
        request_model: EMBEDDING_MODEL,
        finish_reasons: [],
      }),
    ]);
  });

  it('writes no row for failed calls (the library emits no span for them)', async () => {
    for (const call of [calls.chatRateLimited, calls.chatStreamRejected, calls.responsesServerError, calls.embeddingsUnauthorized]) {
      const result = await lab.run(call);
      expect(result.calls).toHaveLength(1);
      expectRows(result, []);
    }
  });
});

const anthropicVersion = installedVersion('@arizeai/openinference-instrumentation-anthropic');
const tokens = (scenario: 'text' | 'tool-call' | 'thinking') =>
  inclusiveTokens('anthropic.messages', FAKE_USAGE['anthropic.messages'][scenario]);

const failedRow = (status: 400 | 429, errorType: unknown): ExpectedRow =>
  anthropicChatRow({
    ...failed(errorType, expect.stringContaining(PROVIDER_ERROR_MESSAGES.anthropic[status])),
    model: `fake-error-${status}`,
    request_model: `fake-error-${status}`,
  });

// SDK 1.x errors reach the span as their classes; 0.137's as plain `Error`.
const SDKS = [
  { sdk: '@anthropic-ai/sdk', rateLimited: 'RateLimitError', rejected: 'BadRequestError' },
  { sdk: 'anthropic-sdk-v0', rateLimited: expect.stringMatching(/\S/), rejected: expect.stringMatching(/\S/) },
];

for (const { sdk, rateLimited, rejected } of SDKS) {
  describe(`@arizeai/openinference-instrumentation-anthropic@${anthropicVersion} on @anthropic-ai/sdk@${installedVersion(sdk)}`, () => {
    let Anthropic: AnthropicConstructor;
    beforeAll(() => {
      const instrumentation = new AnthropicInstrumentation({
        instrumentationConfig: { enabled: false },
        tracerProvider: lab.tracerProvider,
      });
      const module = requireCjs(sdk) as Parameters<AnthropicInstrumentation['manuallyInstrument']>[0] &
        Parameters<typeof anthropicClass>[0];
      instrumentation.manuallyInstrument(module);
      Anthropic = anthropicClass(module);
    });

    describe('alone (the SDK’s own tracing off)', () => {
      let calls: ReturnType<typeof anthropicCalls>;
      beforeAll(() => {
        calls = anthropicCalls(Anthropic, lab.fake, false);
      });
      const row = (fields: ExpectedRow) => anthropicChatRow({ span_name: 'Anthropic Messages', ...fields });

      it('records a cached message with inclusive input and the cache read and write counts', async () => {
        expectRows(await lab.run(calls.cached), [row({ ...tokens('text'), finish_reasons: ['stop'] })]);
      });

      it('records a stream and the messages.stream() helper', async () => {
        expectRows(await lab.run(calls.stream), [row({ ...tokens('text'), finish_reasons: ['stop'] })]);
        expectRows(await lab.run(calls.streamHelper), [row({ ...tokens('text'), finish_reasons: ['stop'] })]);
      });

      it('records tool use', async () => {
        expectRows(await lab.run(calls.toolUse), [row({ ...tokens('tool-call'), finish_reasons: ['tool_calls'] })]);
      });

      it('records extended thinking (the library has no reasoning count for Anthropic)', async () => {
        expectRows(await lab.run(calls.thinking), [row({ ...tokens('thinking'), reasoning_tokens: null, finish_reasons: ['stop'] })]);
      });

      it('records failed calls, streamed or not', async () => {
        expectRows(await lab.run(calls.rateLimited), [{ ...failedRow(429, rateLimited), span_name: 'Anthropic Messages' }]);
        expectRows(await lab.run(calls.streamRejected), [{ ...failedRow(400, rejected), span_name: 'Anthropic Messages' }]);
      });
    });

    describeNativeTracing(
      () => lab,
      () => Anthropic,
      { row: anthropicChatRow, tokens, rateLimited: failedRow(429, expect.stringMatching(/\S/)) },
    );
  });
}
