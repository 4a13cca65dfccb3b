/**
 * @anthropic-ai/sdk's own OpenTelemetry tracing (0.134 and later, on by default once a global
 * tracer provider is registered), on SDK 1.x and 0.137, with no instrumentation library.
 *
 * What the SDK carries (test/fixtures/spans/anthropic-sdk@*): one CLIENT span
 * `anthropic.messages.create` per call; inclusive input, cache reads as
 * `gen_ai.usage.cache_read.input_tokens` but cache writes as the non-standard
 * `gen_ai.usage.cache_write.input_tokens`; thinking tokens as `gen_ai.usage.reasoning.output_tokens`;
 * the stop reason only as `anthropic.message.stop_reason`; the time to first chunk of streams in
 * seconds; `gen_ai.conversation.id` from a per-request option; failures with `error.type` set to
 * the Anthropic error type and no message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_USAGE } from '../../support/fake-provider.js';
import { anthropicCalls, anthropicClass } from './anthropic-calls.js';
import { TIME_TO_FIRST_TOKEN, anthropicChatRow, expectRows, failed, type ExpectedRow } from './expected.js';
import { inclusiveTokens } from '../../support/token-truth.js';
import { installedVersion, requireCjs, startLab, type Lab } from './harness.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(() => lab?.close());

const tokens = (scenario: 'text' | 'tool-call' | 'thinking') =>
  inclusiveTokens('anthropic.messages', FAKE_USAGE['anthropic.messages'][scenario]);

const row = (fields: ExpectedRow): ExpectedRow =>
  anthropicChatRow({ span_name: 'anthropic.messages.create', conversation_id: '', ...fields });

// The failure span has status ERROR without a message and no exception event: no message to store.
const failedRow = (model: string, errorType: string): ExpectedRow =>
  row({ ...failed(errorType, expect.any(String)), model, request_model: model });

for (const sdk of ['@anthropic-ai/sdk', 'anthropic-sdk-v0']) {
  describe(`@anthropic-ai/sdk@${installedVersion(sdk)} native tracing`, () => {
    let calls: ReturnType<typeof anthropicCalls>;
    beforeAll(() => {
      calls = anthropicCalls(anthropicClass(requireCjs(sdk) as Parameters<typeof anthropicClass>[0]), lab.fake, true);
    });

    it('records a cached message with inclusive input, cache read and write, and the stop reason', async () => {
      expectRows(await lab.run(calls.cached), [row({ ...tokens('text'), finish_reasons: ['stop'] })]);
    });

    it('records the conversation id given as a per-request option', async () => {
      expectRows(await lab.run(() => calls.inConversation('conv-1')), [
        row({ ...tokens('text'), finish_reasons: ['stop'], conversation_id: 'conv-1' }),
      ]);
    });

    it('records streams with their time to first token', async () => {
      const streamed = row({ ...tokens('text'), finish_reasons: ['stop'], time_to_first_token_ms: TIME_TO_FIRST_TOKEN });
      expectRows(await lab.run(calls.stream), [streamed]);
      expectRows(await lab.run(calls.streamHelper), [streamed]);
    });

    it('records extended thinking with its reasoning tokens, streamed or not', async () => {
      expectRows(await lab.run(calls.thinking), [row({ ...tokens('thinking'), finish_reasons: ['stop'] })]);
      expectRows(await lab.run(calls.streamThinking), [
        row({ ...tokens('thinking'), finish_reasons: ['stop'], time_to_first_token_ms: TIME_TO_FIRST_TOKEN }),
      ]);
    });

    it('records tool use as the tool_calls finish reason', async () => {
      expectRows(await lab.run(calls.toolUse), [row({ ...tokens('tool-call'), finish_reasons: ['tool_calls'] })]);
    });

    it('records failed calls with the Anthropic error type', async () => {
      expectRows(await lab.run(calls.rateLimited), [failedRow('fake-error-429', 'rate_limit_error')]);
      expectRows(await lab.run(calls.streamRejected), [failedRow('fake-error-400', 'invalid_request_error')]);
    });
  });
}
