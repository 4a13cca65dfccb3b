/**
 * Raw provider response or error payload -> `ProviderPayloadFacts` (inclusive usage, error,
 * model, finish reasons). Accepts a parsed body, its JSON text, or an array of streamed
 * chunks/events, which is folded into one set of facts. Never throws.
 */
import type { ProviderPayloadFacts } from '../model/llm-call.js';
import { normalizeProvider } from '../model/normalize.js';
import { anthropicMessages } from './anthropic-messages.js';
import { bedrockConverse } from './bedrock-converse.js';
import { cohere } from './cohere.js';
import { callError } from './facts.js';
import type { ProviderFormat, StreamFormat } from './format.js';
import { gemini } from './gemini.js';
import { isObject, parseJson, type JsonObject } from '../model/json.js';
import { mistral } from './mistral.js';
import { ollama } from './ollama.js';
import { openAiChat } from './openai-chat.js';
import { openAiResponses } from './openai-responses.js';

export type { ProviderFormat, StreamFormat } from './format.js';

/**
 * Shape-detection order: formats with a distinctive marker first (Anthropic `type: "message"`,
 * Responses `object: "response"`, Gemini `usageMetadata`); OpenAI chat before Mistral, which
 * only wins with a `mistral_ai` hint or its own error marker; flat `{message}` errors last.
 */
const PROVIDER_FORMATS: readonly ProviderFormat[] = [
  anthropicMessages,
  openAiResponses,
  gemini,
  openAiChat,
  mistral,
  bedrockConverse,
  cohere,
  ollama,
];

/** The hinted provider's formats get the first chance; shape decides otherwise. */
function pick<F extends ProviderFormat>(formats: readonly F[], hint: string | undefined, test: (format: F) => boolean): F | undefined {
  const hinted = hint === undefined ? [] : formats.filter((format) => format.provider === hint);
  return hinted.find(test) ?? formats.find(test);
}

type StreamingFormat = ProviderFormat & { readonly stream: StreamFormat };

const STREAMING_FORMATS = PROVIDER_FORMATS.filter((format): format is StreamingFormat => format.stream !== undefined);

/**
 * The first recognized event decides: later ones can be shared in shape between APIs (an
 * `{type: "error", error}` event is both Anthropic's and the Responses API's).
 */
function pickStream(events: readonly JsonObject[], hint: string | undefined): StreamingFormat | undefined {
  for (const event of events) {
    const format = pick(STREAMING_FORMATS, hint, ({ stream }) => stream.matches(event));
    if (format) return format;
  }
  return undefined;
}

function readEvents(items: readonly unknown[], hint: string | undefined): ProviderPayloadFacts | undefined {
  // Chunks may arrive as the JSON text of SSE `data:` lines or NDJSON lines.
  const events = items.map((item) => (typeof item === 'string' ? parseJson(item) : item)).filter(isObject);
  const format = pickStream(events, hint);
  return format?.read(format.stream.fold(events));
}

function readBody(body: JsonObject, hint: string | undefined): ProviderPayloadFacts {
  const format = pick(PROVIDER_FORMATS, hint, (candidate) => candidate.matches(body));
  // A body no format claims may be a single stream event (`response.completed`, `message_start`).
  const read = (format ? format.read(body) : readEvents([body], hint)) ?? {};
  // This package's own payloads name the error at the top level; that wins over nested errors.
  const ownError = callError(body.error_type, body.error_message);
  return ownError ? { ...read, error: ownError } : read;
}

/**
 * Facts from a provider response or error payload: a parsed object, its JSON text, or an array
 * of streamed chunks/events (parsed or JSON text). `providerHint` is a `gen_ai.provider.name`
 * value; it picks between look-alike formats (Mistral vs OpenAI chat). Undefined when the payload
 * is not JSON or nothing in it was recognized.
 */
export function readProviderPayload(body: unknown, providerHint?: string): ProviderPayloadFacts | undefined {
  try {
    const value = typeof body === 'string' ? parseJson(body) : body;
    const hint = normalizeProvider(providerHint);
    const read = Array.isArray(value) ? readEvents(value, hint) : isObject(value) ? readBody(value, hint) : undefined;
    return read !== undefined && Object.keys(read).length > 0 ? read : undefined;
  } catch {
    // Payloads are arbitrary input (a Proxy or a getter may throw); the exporter must not.
    return undefined;
  }
}
