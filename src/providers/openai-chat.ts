/**
 * OpenAI Chat Completions (also legacy completions and embeddings, which share `usage`), and the
 * many OpenAI-compatible APIs. `prompt_tokens` already includes cached tokens and
 * `completion_tokens` includes reasoning tokens, so the counts map one to one.
 * Sources: vercel/ai `packages/openai/src/chat/convert-openai-chat-usage.ts`,
 * `chat/__fixtures__/openai-text.json`, `openai-error.ts`.
 */
import type { ProviderPayloadFacts } from '../model/llm-call.js';
import { toCount, toText } from '../model/normalize.js';
import { errorValue, facts, finishReasons, usage } from './facts.js';
import type { ProviderFormat, StreamFormat } from './format.js';
import { collect, isObject, mergeLatest, objectAt, objectsIn, valueAt, type JsonObject } from '../model/json.js';

const BODY_OBJECTS = new Set(['chat.completion', 'text_completion']);
const CHUNK_OBJECT = 'chat.completion.chunk';

/** Error code is more specific than type (`context_length_exceeded` vs `invalid_request_error`). */
export const OPENAI_ERROR_TYPE_KEYS = ['code', 'type'] as const;

export function isChatCompletion(body: JsonObject): boolean {
  return (
    (typeof body.object === 'string' && BODY_OBJECTS.has(body.object)) ||
    Array.isArray(body.choices) ||
    valueAt(body, 'usage', 'prompt_tokens') !== undefined ||
    isObject(body.error)
  );
}

/** OpenAI reports cache reads under `prompt_tokens_details`; compatible APIs may differ. */
function openAiCachedTokens(usageObject: JsonObject): number | undefined {
  return toCount(valueAt(usageObject, 'prompt_tokens_details', 'cached_tokens'));
}

/**
 * Reads a Chat Completions body. `cachedTokens` lets OpenAI-compatible APIs that name the
 * cache-read count differently (Mistral) reuse the rest.
 */
export function readChatCompletion(
  body: JsonObject,
  cachedTokens: (usageObject: JsonObject) => number | undefined = openAiCachedTokens,
): ProviderPayloadFacts {
  const counts = objectAt(body, 'usage');
  return facts({
    usage:
      counts &&
      usage({
        promptTokens: toCount(counts.prompt_tokens),
        completionTokens: toCount(counts.completion_tokens),
        totalTokens: toCount(counts.total_tokens),
        cachedInputTokens: cachedTokens(counts),
        // Not sent by OpenAI itself; some compatible gateways report cache writes here.
        cacheWriteTokens: toCount(valueAt(counts, 'prompt_tokens_details', 'cache_write_tokens')),
        reasoningTokens: toCount(valueAt(counts, 'completion_tokens_details', 'reasoning_tokens')),
      }),
    error: errorValue(body.error, OPENAI_ERROR_TYPE_KEYS),
    model: toText(body.model),
    finishReasons: finishReasons(objectsIn(body.choices).map((choice) => choice.finish_reason)),
  });
}

export const chatStream: StreamFormat = {
  matches: (event) => event.object === CHUNK_OBJECT || objectsIn(event.choices).some((choice) => isObject(choice.delta)),
  // With `stream_options.include_usage` the usage arrives alone in the last chunk (empty
  // `choices`); each choice reports its finish reason once, in its own chunk.
  fold: (chunks) => ({
    ...mergeLatest(chunks),
    choices: collect(chunks, 'choices'),
  }),
};

export const openAiChat: ProviderFormat = {
  name: 'openai-chat',
  provider: 'openai',
  matches: isChatCompletion,
  read: (body) => readChatCompletion(body),
  stream: chatStream,
};
