/**
 * @opentelemetry/instrumentation-openai (opentelemetry-js-contrib) over openai 6 and openai 4,
 * through the real exporter into embedded ClickHouse.
 *
 * What the library carries (test/fixtures/spans/opentelemetry-instrumentation-openai@0.21): one
 * CLIENT span per call, `chat {model}` for Chat Completions and Responses, `embeddings {model}`;
 * inclusive input tokens but no cache or reasoning counts, no time to first token; failures set
 * `error.type` to the SDK's error class and the status message to the SDK's message.
 */
import { metrics } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_EMBEDDING_TOKENS_PER_INPUT, FAKE_USAGE } from '../../support/fake-provider.js';
import { PROVIDER_ERROR_MESSAGES, expectRows, failed, openAiChatRow, type ExpectedRow } from './expected.js';
import { inclusiveTokens, notCarried, type TokenColumns } from '../../support/token-truth.js';
import { installedVersion, patchManually, requireCjs, SERVICE_NAME, startLab, type Lab } from './harness.js';
import { CHAT_MODEL, EMBEDDING_INPUTS, EMBEDDING_MODEL, openAiCalls, type OpenAiConstructor } from './openai-calls.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(() => lab?.close());

/** The library reports input and output only: the provider's cache and reasoning details are lost. */
const carried = (tokens: TokenColumns) => notCarried(tokens, 'cached_input_tokens', 'reasoning_tokens');

const row = (spanName: string, fields: ExpectedRow): ExpectedRow =>
  openAiChatRow({ span_name: spanName, service_name: SERVICE_NAME, ...fields });

const failedRow = (model: string, spanName: string, errorType: string, message: string, callType = 'chat'): ExpectedRow =>
  row(spanName, { ...failed(errorType, expect.stringContaining(message)), model, request_model: model, call_type: callType });

describe.each(['openai', 'openai-v4'])('@opentelemetry/instrumentation-openai on %s', (client) => {
  let calls: ReturnType<typeof openAiCalls>;
  beforeAll(() => {
    const instrumentation = new OpenAIInstrumentation({ enabled: false });
    instrumentation.setTracerProvider(lab.tracerProvider);
    // Its metric instruments exist only after setMeterProvider; without them the patched call throws.
    instrumentation.setMeterProvider(metrics.getMeterProvider());
    const module = requireCjs(client) as { OpenAI: OpenAiConstructor };
    patchManually(instrumentation, module, installedVersion(client));
    // The patched methods check isEnabled(); the module is already patched, so this only flips the flag.
    instrumentation.enable();
    calls = openAiCalls(module.OpenAI, lab.fake);
  });

  it('records a chat completion with its inclusive input tokens and finish reason', async () => {
    expectRows(await lab.run(calls.chat), [
      row(`chat ${CHAT_MODEL}`, { ...carried(inclusiveTokens('openai.chat', FAKE_USAGE['openai.chat'].text)), finish_reasons: ['stop'] }),
    ]);
  });

  it('records a streamed chat completion with the usage of its final chunk', async () => {
    expectRows(await lab.run(calls.chatStream), [
      row(`chat ${CHAT_MODEL}`, { ...carried(inclusiveTokens('openai.chat', FAKE_USAGE['openai.chat'].text)), finish_reasons: ['stop'] }),
    ]);
  });

  it('records a tool call as the tool_calls finish reason', async () => {
    expectRows(await lab.run(calls.chatToolCall), [
      row(`chat ${CHAT_MODEL}`, {
        ...carried(inclusiveTokens('openai.chat', FAKE_USAGE['openai.chat']['tool-call'])),
        finish_reasons: ['tool_calls'],
      }),
    ]);
  });

  it('records a Responses API call and its stream', async () => {
    const expected = row(`chat ${CHAT_MODEL}`, {
      ...carried(inclusiveTokens('openai.responses', FAKE_USAGE['openai.responses'].text)),
      finish_reasons: ['stop'],
    });
    expectRows(await lab.run(calls.responses), [expected]);
    expectRows(await lab.run(calls.responsesStream), [expected]);
  });

  it('records an embeddings call', async () => {
    expectRows(await lab.run(calls.embeddings), [
      row(`embeddings ${EMBEDDING_MODEL}`, {
        ...inclusiveTokens('openai.embeddings', { prompt_tokens: FAKE_EMBEDDING_TOKENS_PER_INPUT * EMBEDDING_INPUTS.length }),
        call_type: 'embeddings',
        model: EMBEDDING_MODEL,
        request_model: EMBEDDING_MODEL,
        finish_reasons: [],
      }),
    ]);
  });

  it('records failures with the SDK error class and the provider message', async () => {
    const { openai } = PROVIDER_ERROR_MESSAGES;
    expectRows(await lab.run(calls.chatRateLimited), [failedRow('fake-error-429', 'chat fake-error-429', 'RateLimitError', openai[429])]);
    expectRows(await lab.run(calls.chatStreamRejected), [
      failedRow('fake-error-400', 'chat fake-error-400', 'BadRequestError', openai[400]),
    ]);
    expectRows(await lab.run(calls.responsesServerError), [
      failedRow('fake-error-500', 'chat fake-error-500', 'InternalServerError', openai[500]),
    ]);
    expectRows(await lab.run(calls.embeddingsUnauthorized), [
      failedRow('fake-error-401', 'embeddings fake-error-401', 'AuthenticationError', openai[401], 'embeddings'),
    ]);
  });
});
