/**
 * OpenLLMetry / Traceloop instrumentations, current (0.27.0) and the last legacy releases
 * (openai 0.22.5, anthropic 0.22.6), over openai 6 and 4 and @anthropic-ai/sdk 0.137 (the
 * Anthropic instrumentation patches `Anthropic.Completions`, which SDK 1.x removed). Each version
 * patches the same modules, so each block patches them and undoes it.
 *
 * What the libraries carry (test/fixtures/spans/traceloop-*): CLIENT spans, `chat {model}` (0.27)
 * or `openai.chat` / `anthropic.chat` (0.22); OpenAI input inclusive, no cache or reasoning keys,
 * no usage at all on streams; Anthropic input EXCLUSIVE of cache, with the cache counts beside it
 * in 0.27 and without them in 0.22; no finish reason on streams; no time to first token. OpenAI
 * failures, OpenAI embeddings, legacy Responses calls and failing Anthropic streams get no span.
 * With the Anthropic SDK's own tracing on, every call has a second span (the duplicate case).
 */
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { AnthropicInstrumentation } from '@traceloop/instrumentation-anthropic';
import { OpenAIInstrumentation as LegacyOpenAIInstrumentation } from 'traceloop-openai-legacy';
import { AnthropicInstrumentation as LegacyAnthropicInstrumentation } from 'traceloop-anthropic-legacy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_USAGE } from '../../support/fake-provider.js';
import { anthropicCalls, anthropicClass, CLAUDE_MODEL, type AnthropicConstructor } from './anthropic-calls.js';
import { PROVIDER_ERROR_MESSAGES, anthropicChatRow, expectRows, failed, openAiChatRow, type ExpectedRow } from './expected.js';
import { NO_USAGE, cacheExcludedAndDropped, inclusiveTokens, notCarried, type TokenColumns } from '../../support/token-truth.js';
import { describeNativeTracing } from './native-tracing.js';
import { installedVersion, patchManually, requireCjs, startLab, type Lab, type ManuallyPatchable } from './harness.js';
import { CHAT_MODEL, openAiCalls, type OpenAiConstructor } from './openai-calls.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(() => lab?.close());

const OPENAI_CLIENTS = ['openai', 'openai-v4'] as const;
// @anthropic-ai/sdk 0.137.0 under an npm alias.
const ANTHROPIC_SDK = 'anthropic-sdk-v0';

interface TraceloopVersion {
  name: string;
  instrumentations(): { openai: ManuallyPatchable; anthropic: ManuallyPatchable };
  chatSpan: string;
  anthropicSpan: (model: string) => string;
  /** 0.22 does not instrument the Responses API. */
  responses: boolean;
  /** How the Anthropic usage on the span relates to the provider's. */
  anthropicTokens: (tokens: TokenColumns) => TokenColumns;
}

const VERSIONS: TraceloopVersion[] = [
  {
    name: `Traceloop openai@${installedVersion('@traceloop/instrumentation-openai')} anthropic@${installedVersion('@traceloop/instrumentation-anthropic')}`,
    instrumentations: () => ({
      openai: new OpenAIInstrumentation({ enabled: false, traceContent: true }),
      anthropic: new AnthropicInstrumentation({ enabled: false, traceContent: true }),
    }),
    chatSpan: `chat ${CHAT_MODEL}`,
    anthropicSpan: (model) => `chat ${model}`,
    responses: true,
    // Exclusive input with the cache counts beside it: everything needed for the inclusive numbers.
    anthropicTokens: (tokens) => tokens,
  },
  {
    name: `Traceloop openai@${installedVersion('traceloop-openai-legacy')} anthropic@${installedVersion('traceloop-anthropic-legacy')}`,
    instrumentations: () => ({
      openai: new LegacyOpenAIInstrumentation({ enabled: false, traceContent: true }),
      anthropic: new LegacyAnthropicInstrumentation({ enabled: false, traceContent: true }),
    }),
    chatSpan: 'openai.chat',
    anthropicSpan: () => 'anthropic.chat',
    responses: false,
    // Only `gen_ai.usage.prompt_tokens` = the provider's fresh input: the cache counts are not on the span.
    anthropicTokens: cacheExcludedAndDropped,
  },
];

/** Traceloop's OpenAI spans report input and output only. */
const openAiCarried = (tokens: TokenColumns) => notCarried(tokens, 'cached_input_tokens', 'reasoning_tokens');

for (const version of VERSIONS) {
  describe(version.name, () => {
    const undo: Array<() => void> = [];
    afterAll(() => undo.forEach((unpatch) => unpatch()));

    describe.each(OPENAI_CLIENTS)('on %s', (client) => {
      let calls: ReturnType<typeof openAiCalls>;
      beforeAll(() => {
        const { openai } = version.instrumentations();
        const module = requireCjs(client) as { OpenAI: OpenAiConstructor };
        undo.push(patchManually(openai, module, installedVersion(client)));
        calls = openAiCalls(module.OpenAI, lab.fake);
      });

      const row = (fields: ExpectedRow): ExpectedRow => openAiChatRow({ span_name: version.chatSpan, ...fields });

      it('records a chat completion and a tool call', async () => {
        expectRows(await lab.run(calls.chat), [
          row({ ...openAiCarried(inclusiveTokens('openai.chat', FAKE_USAGE['openai.chat'].text)), finish_reasons: ['stop'] }),
        ]);
        expectRows(await lab.run(calls.chatToolCall), [
          row({ ...openAiCarried(inclusiveTokens('openai.chat', FAKE_USAGE['openai.chat']['tool-call'])), finish_reasons: ['tool_calls'] }),
        ]);
      });

      it('records a streamed chat completion without usage (the library records none for streams)', async () => {
        expectRows(await lab.run(calls.chatStream), [row({ ...NO_USAGE, finish_reasons: ['stop'] })]);
      });

      it('records Responses API calls where the library instruments them', async () => {
        const tokens = openAiCarried(inclusiveTokens('openai.responses', FAKE_USAGE['openai.responses'].text));
        // A Responses stream span holds the request attributes only: no usage, no response model.
        const stream = row({ ...NO_USAGE, model: CHAT_MODEL, finish_reasons: [] });
        expectRows(await lab.run(calls.responses), version.responses ? [row({ ...tokens, finish_reasons: ['stop'] })] : []);
        expectRows(await lab.run(calls.responsesStream), version.responses ? [stream] : []);
      });

      it('writes no row where the library emits no span: embeddings and failed calls', async () => {
        // Failed calls: the span is ended only in the success callback, so it is never exported.
        for (const call of [calls.embeddings, calls.chatRateLimited, calls.chatStreamRejected, calls.responsesServerError]) {
          const result = await lab.run(call);
          expect(result.calls).toHaveLength(1);
          expectRows(result, []);
        }
      });
    });

    describe(`on @anthropic-ai/sdk@${installedVersion(ANTHROPIC_SDK)}`, () => {
      let Anthropic: AnthropicConstructor;
      beforeAll(() => {
        const { anthropic } = version.instrumentations();
        const module = requireCjs(ANTHROPIC_SDK) as Parameters<typeof anthropicClass>[0];
        undo.push(patchManually(anthropic, module, installedVersion(ANTHROPIC_SDK)));
        Anthropic = anthropicClass(module);
      });

      const tokens = (scenario: 'text' | 'tool-call') => inclusiveTokens('anthropic.messages', FAKE_USAGE['anthropic.messages'][scenario]);

      describe('alone (the SDK’s own tracing off)', () => {
        let calls: ReturnType<typeof anthropicCalls>;
        beforeAll(() => {
          calls = anthropicCalls(Anthropic, lab.fake, false);
        });
        const row = (fields: ExpectedRow) => anthropicChatRow({ span_name: version.anthropicSpan(CLAUDE_MODEL), ...fields });

        it('records a cached message with inclusive input and the cache read and write counts', async () => {
          expectRows(await lab.run(calls.cached), [row({ ...version.anthropicTokens(tokens('text')), finish_reasons: ['stop'] })]);
        });

        it('records a stream (the library records no finish reason for streams)', async () => {
          expectRows(await lab.run(calls.stream), [row({ ...version.anthropicTokens(tokens('text')), finish_reasons: [] })]);
        });

        it('records tool use as the tool_calls finish reason', async () => {
          expectRows(await lab.run(calls.toolUse), [
            row({ ...version.anthropicTokens(tokens('tool-call')), finish_reasons: ['tool_calls'] }),
          ]);
        });

        it('records a failed call; a failing stream gets no span', async () => {
          expectRows(await lab.run(calls.rateLimited), [
            row({
              ...failed(expect.stringMatching(/\S/), expect.stringContaining(PROVIDER_ERROR_MESSAGES.anthropic[429])),
              span_name: version.anthropicSpan('fake-error-429'),
              model: 'fake-error-429',
              request_model: 'fake-error-429',
            }),
          ]);
          expectRows(await lab.run(calls.streamRejected), []);
        });
      });

      describeNativeTracing(
        () => lab,
        () => Anthropic,
        {
          row: anthropicChatRow,
          tokens,
          rateLimited: anthropicChatRow({
            ...failed(expect.stringMatching(/\S/), expect.stringContaining(PROVIDER_ERROR_MESSAGES.anthropic[429])),
            model: 'fake-error-429',
            request_model: 'fake-error-429',
          }),
        },
      );
    });
  });
}
