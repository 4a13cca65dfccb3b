/**
 * The @anthropic-ai/sdk calls every Anthropic test makes against the fake provider: a cached
 * prompt (cache read and write), a raw stream, the `messages.stream()` helper, extended
 * thinking, tool use, and failures. Typed structurally so SDK 0.137 and 1.x both fit.
 */
import type { FakeProvider } from '../../support/fake-provider.js';
import { drain } from './harness.js';

export const CLAUDE_MODEL = 'claude-sonnet-4-6';
/** The fake provider answers with a dated response model. */
export const CLAUDE_RESPONSE_MODEL = 'claude-sonnet-4-6-20250101';

export interface AnthropicClient {
  messages: {
    create(body: object, options?: object): Promise<unknown>;
    stream(body: object): { finalMessage(): Promise<unknown> };
  };
}

export interface AnthropicOptions {
  baseURL: string;
  apiKey: string;
  maxRetries: number;
  /** The SDK's own tracing (0.134 and later): on by default once a global tracer provider exists. */
  openTelemetry?: { traces: false | { contentMode: 'content' | 'metadata_only' } };
}

export type AnthropicConstructor = new (options: AnthropicOptions) => AnthropicClient;

/** The SDK's exports: the class is `Anthropic` in 1.x and the default export everywhere. */
export function anthropicClass(sdk: { Anthropic?: AnthropicConstructor; default?: AnthropicConstructor }): AnthropicConstructor {
  const Anthropic = sdk.Anthropic ?? sdk.default;
  if (Anthropic === undefined) throw new Error('the Anthropic SDK module exports no client class');
  return Anthropic;
}

const system = [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }];
const tools = [
  {
    name: 'getWeather',
    description: 'Get the weather for a city',
    input_schema: { type: 'object', properties: { city: { type: 'string' } } },
  },
];

export function anthropicCalls(Anthropic: AnthropicConstructor, fake: FakeProvider, nativeTracing: boolean) {
  const client = new Anthropic({
    baseURL: fake.url,
    apiKey: 'sk-ant-fake',
    maxRetries: 0,
    openTelemetry: { traces: nativeTracing ? { contentMode: 'content' } : false },
  });
  const base = { model: CLAUDE_MODEL, max_tokens: 256, system, messages: [{ role: 'user', content: 'Say hello.' }], temperature: 0.2 };
  const thinking = { ...base, temperature: undefined, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 } };
  return {
    cached: () => client.messages.create(base),
    /** With the SDK's per-request tracing option that names the conversation. */
    inConversation: (conversationId: string) => client.messages.create(base, { openTelemetry: { conversationId } }),
    stream: async () => drain(await client.messages.create({ ...base, stream: true })),
    streamHelper: () => client.messages.stream(base).finalMessage(),
    thinking: () => client.messages.create(thinking),
    streamThinking: async () => drain(await client.messages.create({ ...thinking, stream: true })),
    toolUse: () => client.messages.create({ ...base, tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] }),
    rateLimited: () => client.messages.create({ ...base, model: 'fake-error-429' }),
    streamRejected: async () => drain(await client.messages.create({ ...base, model: 'fake-error-400', stream: true })),
  };
}
