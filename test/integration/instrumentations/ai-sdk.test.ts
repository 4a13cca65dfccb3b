/**
 * Vercel AI SDK 4, 5 and 6 built-in telemetry (`experimental_telemetry`, `ai.*` spans) with
 * @ai-sdk/openai and @ai-sdk/anthropic of the matching provider major (1, 2, 3), each installed
 * under an npm alias. AI SDK 7 needs Node 22 and is covered by the captured fixtures only.
 *
 * What the SDK carries (test/fixtures/spans/ai@*): per call an outer span (`ai.generateText`,
 * `ai.streamText`, `ai.embed`, `ai.embedMany`, plus `ai.toolCall` in tool loops) that repeats
 * its steps' usage and is never a row, and one provider-call span per step
 * (`*.doGenerate`, `*.doStream`, `*.doEmbed`). Usage semantics differ by major: OpenAI input is
 * inclusive everywhere; Anthropic input excludes cache in 4 and 5 (the cache counts are in
 * `ai.response.providerMetadata`) and includes it in 6; AI SDK 5's generateText drops OpenAI's
 * cache and reasoning details; only 6 reports Anthropic thinking tokens; AI SDK 4's default
 * OpenAI provider asks for no stream usage. Streams carry `ai.response.msToFirstChunk`; the
 * telemetry metadata carries the user and session ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FAKE_EMBEDDING_TOKENS_PER_INPUT, FAKE_USAGE } from '../../support/fake-provider.js';
import { CLAUDE_MODEL, CLAUDE_RESPONSE_MODEL } from './anthropic-calls.js';
import { PROVIDER_ERROR_MESSAGES, TIME_TO_FIRST_TOKEN, expectRows, failed, openAiChatRow, type ExpectedRow } from './expected.js';
import { NO_USAGE, inclusiveTokens, notCarried, type TokenColumns } from '../../support/token-truth.js';
import { installedVersion, startLab, type Lab } from './harness.js';
import { CHAT_MODEL, EMBEDDING_MODEL } from './openai-calls.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(() => lab?.close());

/** The parts of the `ai` package the scenarios use, the same in majors 4 to 6. */
interface AiSdk {
  generateText(options: object): Promise<unknown>;
  streamText(options: object): { fullStream: AsyncIterable<{ type: string; error?: unknown }> };
  embed(options: object): Promise<unknown>;
  embedMany(options: object): Promise<unknown>;
  tool(options: object): unknown;
  stepCountIs?(count: number): unknown;
}

interface OpenAiProvider {
  chat(model: string): unknown;
  responses(model: string): unknown;
  embedding(model: string): unknown;
}

type ProviderFactory<P> = (options: { baseURL: string; apiKey: string; compatibility?: 'strict' }) => P;

interface Major {
  major: 4 | 5 | 6;
  /** AI SDK 5's generateText reports OpenAI input and output without the cache and reasoning details. */
  generateDropsOpenAiDetails: boolean;
  /** Only AI SDK 6 reports Anthropic thinking tokens. */
  anthropicReasoning: boolean;
  /** @ai-sdk/openai 1.x asks for stream usage only in its `strict` compatibility mode. */
  defaultStreamUsage: boolean;
}

const MAJORS: Major[] = [
  { major: 4, generateDropsOpenAiDetails: false, anthropicReasoning: false, defaultStreamUsage: false },
  { major: 5, generateDropsOpenAiDetails: true, anthropicReasoning: false, defaultStreamUsage: true },
  { major: 6, generateDropsOpenAiDetails: false, anthropicReasoning: true, defaultStreamUsage: true },
];

const METADATA = { userId: 'user-1', sessionId: 'session-1' };

const chatTokens = (scenario: 'text' | 'tool-call' | 'tool-result') => inclusiveTokens('openai.chat', FAKE_USAGE['openai.chat'][scenario]);
const claudeTokens = (scenario: 'text' | 'tool-call' | 'tool-result' | 'thinking') =>
  inclusiveTokens('anthropic.messages', FAKE_USAGE['anthropic.messages'][scenario]);
const embeddingTokens = (inputs: number) =>
  inclusiveTokens('openai.embeddings', { prompt_tokens: FAKE_EMBEDDING_TOKENS_PER_INPUT * inputs });

for (const { major, generateDropsOpenAiDetails, anthropicReasoning, defaultStreamUsage } of MAJORS) {
  const aiPackage = `ai-v${major}`;
  // ai 4 pairs with @ai-sdk/* 1.x, ai 5 with 2.x, ai 6 with 3.x.
  const openAiPackage = `ai-sdk-openai-v${major - 3}`;
  const anthropicPackage = `ai-sdk-anthropic-v${major - 3}`;

  describe(`ai@${installedVersion(aiPackage)} with @ai-sdk/openai@${installedVersion(openAiPackage)} and @ai-sdk/anthropic@${installedVersion(anthropicPackage)}`, () => {
    let ai: AiSdk;
    let createOpenAI: ProviderFactory<OpenAiProvider>;
    let anthropic: (model: string) => unknown;
    beforeAll(async () => {
      ai = (await import(aiPackage)) as AiSdk;
      createOpenAI = ((await import(openAiPackage)) as { createOpenAI: ProviderFactory<OpenAiProvider> }).createOpenAI;
      const { createAnthropic } = (await import(anthropicPackage)) as { createAnthropic: ProviderFactory<(model: string) => unknown> };
      anthropic = createAnthropic({ baseURL: `${lab.fake.url}/v1`, apiKey: 'sk-ant-fake' });
    });
    const openai = () => createOpenAI({ baseURL: `${lab.fake.url}/v1`, apiKey: 'sk-fake' });

    const common = () => ({
      maxRetries: 0,
      experimental_telemetry: { isEnabled: true, functionId: 'lab-fn', metadata: METADATA },
    });
    const settings = () => ({
      ...common(),
      system: 'You are terse.',
      prompt: 'Say hello.',
      temperature: 0.2,
      ...(major === 4 ? { maxTokens: 256 } : { maxOutputTokens: 256 }),
    });
    const generate = (model: unknown, extra: object = {}) => ai.generateText({ model, ...settings(), ...extra });
    // The stream's error is rethrown from fullStream; onError only keeps the SDK from logging it.
    const stream = async (model: unknown, extra: object = {}) => {
      for await (const part of ai.streamText({ model, ...settings(), onError: () => {}, ...extra }).fullStream) {
        if (part.type === 'error') throw part.error;
      }
    };
    const withWeatherTool = () => {
      const schema = z.object({ city: z.string() });
      const getWeather = ai.tool({
        description: 'Get the weather for a city',
        ...(major === 4 ? { parameters: schema } : { inputSchema: schema }),
        execute: async ({ city }: { city: string }) => ({ city, forecast: 'sunny' }),
      });
      const twoSteps = major === 4 ? { maxSteps: 2 } : { stopWhen: ai.stepCountIs?.(2) };
      return { tools: { getWeather }, ...twoSteps, prompt: 'What is the weather in Paris?' };
    };

    const row = (spanName: string, fields: ExpectedRow): ExpectedRow =>
      openAiChatRow({ span_name: spanName, user_id: METADATA.userId, conversation_id: METADATA.sessionId, metadata: METADATA, ...fields });
    const generated = (fields: ExpectedRow) => row('ai.generateText.doGenerate', fields);
    const streamed = (fields: ExpectedRow) => row('ai.streamText.doStream', { time_to_first_token_ms: TIME_TO_FIRST_TOKEN, ...fields });
    const claude = (fields: ExpectedRow): ExpectedRow => ({
      provider: 'anthropic',
      model: CLAUDE_RESPONSE_MODEL,
      request_model: CLAUDE_MODEL,
      ...fields,
    });
    const openAiGenerated = (tokens: TokenColumns) =>
      generateDropsOpenAiDetails ? notCarried(tokens, 'cached_input_tokens', 'reasoning_tokens') : tokens;

    it('generateText with OpenAI Chat: inclusive input, cache read and reasoning where the SDK reports them', async () => {
      expectRows(await lab.run(() => generate(openai().chat(CHAT_MODEL))), [
        generated({ ...openAiGenerated(chatTokens('text')), finish_reasons: ['stop'] }),
      ]);
    });

    it('generateText with OpenAI Responses', async () => {
      const tokens = inclusiveTokens('openai.responses', FAKE_USAGE['openai.responses'].text);
      expectRows(await lab.run(() => generate(openai().responses(CHAT_MODEL))), [
        generated({ ...openAiGenerated(tokens), finish_reasons: ['stop'] }),
      ]);
    });

    it('streamText with OpenAI Chat and Responses: usage and time to first token', async () => {
      const chatUsage = defaultStreamUsage ? chatTokens('text') : NO_USAGE;
      expectRows(await lab.run(() => stream(openai().chat(CHAT_MODEL))), [streamed({ ...chatUsage, finish_reasons: ['stop'] })]);
      const responsesTokens = inclusiveTokens('openai.responses', FAKE_USAGE['openai.responses'].text);
      expectRows(await lab.run(() => stream(openai().responses(CHAT_MODEL))), [streamed({ ...responsesTokens, finish_reasons: ['stop'] })]);
    });

    if (!defaultStreamUsage) {
      it('streamText with the strict OpenAI provider, which asks for stream usage', async () => {
        const strict = createOpenAI({ baseURL: `${lab.fake.url}/v1`, apiKey: 'sk-fake', compatibility: 'strict' });
        expectRows(await lab.run(() => stream(strict.chat(CHAT_MODEL))), [streamed({ ...chatTokens('text'), finish_reasons: ['stop'] })]);
      });
    }

    it('a two-step tool loop: one row per provider call, none for the outer or tool spans', async () => {
      const result = await lab.run(() => generate(openai().chat(CHAT_MODEL), withWeatherTool()));
      expect(result.spans.map((span) => span.name).sort()).toEqual([
        'ai.generateText',
        'ai.generateText.doGenerate',
        'ai.generateText.doGenerate',
        'ai.toolCall',
      ]);
      expectRows(result, [
        generated({ ...openAiGenerated(chatTokens('tool-call')), finish_reasons: ['tool_calls'] }),
        generated({ ...openAiGenerated(chatTokens('tool-result')), finish_reasons: ['stop'] }),
      ]);
    });

    it('generateText with Anthropic: inclusive input with cache read and write', async () => {
      expectRows(await lab.run(() => generate(anthropic(CLAUDE_MODEL))), [
        generated(claude({ ...claudeTokens('text'), finish_reasons: ['stop'] })),
      ]);
    });

    it('streamText with Anthropic: usage and time to first token', async () => {
      expectRows(await lab.run(() => stream(anthropic(CLAUDE_MODEL))), [
        streamed(claude({ ...claudeTokens('text'), finish_reasons: ['stop'] })),
      ]);
    });

    it('generateText with Anthropic extended thinking', async () => {
      const thinking = {
        temperature: undefined,
        ...(major === 4 ? { maxTokens: 2048 } : { maxOutputTokens: 2048 }),
        providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 1024 } } },
      };
      const tokens = anthropicReasoning ? claudeTokens('thinking') : notCarried(claudeTokens('thinking'), 'reasoning_tokens');
      expectRows(await lab.run(() => generate(anthropic(CLAUDE_MODEL), thinking)), [
        generated(claude({ ...tokens, finish_reasons: ['stop'] })),
      ]);
    });

    it('a tool loop with Anthropic', async () => {
      expectRows(await lab.run(() => generate(anthropic(CLAUDE_MODEL), withWeatherTool())), [
        generated(claude({ ...claudeTokens('tool-call'), finish_reasons: ['tool_calls'] })),
        generated(claude({ ...claudeTokens('tool-result'), finish_reasons: ['stop'] })),
      ]);
    });

    it('embed and embedMany: one embeddings row each', async () => {
      const model = () => openai().embedding(EMBEDDING_MODEL);
      const embeddings = (spanName: string, inputs: number) =>
        row(spanName, {
          ...embeddingTokens(inputs),
          call_type: 'embeddings',
          model: EMBEDDING_MODEL,
          request_model: EMBEDDING_MODEL,
          finish_reasons: [],
        });
      expectRows(await lab.run(() => ai.embed({ model: model(), value: 'hello', ...common() })), [embeddings('ai.embed.doEmbed', 1)]);
      expectRows(await lab.run(() => ai.embedMany({ model: model(), values: ['a', 'b', 'c'], ...common() })), [
        embeddings('ai.embedMany.doEmbed', 3),
      ]);
    });

    it('failed calls: the provider-call span is the row, with the SDK error and the provider message', async () => {
      const { openai: openAiErrors, anthropic: anthropicErrors } = PROVIDER_ERROR_MESSAGES;
      const failedRow = (spanName: string, model: string, message: string, fields: ExpectedRow = {}) =>
        row(spanName, { ...failed('AI_APICallError', expect.stringContaining(message)), model, request_model: model, ...fields });
      expectRows(await lab.run(() => generate(openai().chat('fake-error-429'))), [
        failedRow('ai.generateText.doGenerate', 'fake-error-429', openAiErrors[429]),
      ]);
      expectRows(await lab.run(() => stream(openai().chat('fake-error-500'))), [
        failedRow('ai.streamText.doStream', 'fake-error-500', openAiErrors[500]),
      ]);
      expectRows(await lab.run(() => generate(anthropic('fake-error-400'))), [
        failedRow('ai.generateText.doGenerate', 'fake-error-400', anthropicErrors[400], { provider: 'anthropic' }),
      ]);
    });
  });
}
