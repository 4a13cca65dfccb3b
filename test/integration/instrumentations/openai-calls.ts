/**
 * The openai-client calls every OpenAI instrumentation test makes against the fake provider:
 * Chat Completions (JSON, stream with usage, tool call), Responses (JSON, stream), embeddings,
 * and failures. Typed structurally so openai 4 and 6 (loaded through `require`) both fit.
 */
import type { FakeProvider } from '../../support/fake-provider.js';
import { drain } from './harness.js';

export const CHAT_MODEL = 'gpt-4o-mini';
/** The fake provider answers with a dated response model. */
export const CHAT_RESPONSE_MODEL = 'gpt-4o-mini-2025-01-01';
export const EMBEDDING_MODEL = 'text-embedding-3-small';
export const EMBEDDING_INPUTS = ['hello', 'world'];

interface Creator {
  create(body: object): Promise<unknown>;
}

export interface OpenAiClient {
  chat: { completions: Creator };
  responses: Creator;
  embeddings: Creator;
}

export type OpenAiConstructor = new (options: { baseURL: string; apiKey: string; maxRetries: number }) => OpenAiClient;

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello.' },
];
const tools = [
  {
    type: 'function',
    function: {
      name: 'getWeather',
      description: 'Get the weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  },
];

export function openAiCalls(OpenAI: OpenAiConstructor, fake: FakeProvider) {
  // maxRetries 0: the SDK would otherwise retry 429 and 500 with backoff.
  const client = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-fake', maxRetries: 0 });
  const chat = { model: CHAT_MODEL, messages, temperature: 0.2, max_tokens: 256 };
  const responses = { model: CHAT_MODEL, instructions: 'You are terse.', input: 'Say hello.', max_output_tokens: 256 };
  return {
    chat: () => client.chat.completions.create(chat),
    chatStream: async () => drain(await client.chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } })),
    chatToolCall: () => client.chat.completions.create({ ...chat, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools }),
    responses: () => client.responses.create(responses),
    responsesStream: async () => drain(await client.responses.create({ ...responses, stream: true })),
    embeddings: () => client.embeddings.create({ model: EMBEDDING_MODEL, input: EMBEDDING_INPUTS }),
    chatRateLimited: () => client.chat.completions.create({ ...chat, model: 'fake-error-429' }),
    chatStreamRejected: async () => drain(await client.chat.completions.create({ ...chat, model: 'fake-error-400', stream: true })),
    responsesServerError: () => client.responses.create({ ...responses, model: 'fake-error-500' }),
    embeddingsUnauthorized: () => client.embeddings.create({ model: 'fake-error-401', input: 'hello' }),
  };
}
