/**
 * Mistral chat: the Chat Completions shape with Mistral's own names for the cache-read count,
 * and a flat error body `{object: "error", message, type, param, code}`.
 * Sources: vercel/ai `packages/mistral/src/convert-mistral-usage.ts`, `mistral-error.ts`,
 * `__fixtures__/mistral-usage-details.json`.
 */
import { toCount } from '../model/normalize.js';
import { errorValue, facts } from './facts.js';
import type { ProviderFormat } from './format.js';
import { valueAt, type JsonObject } from '../model/json.js';
import { chatStream, isChatCompletion, readChatCompletion } from './openai-chat.js';

function mistralCachedTokens(usageObject: JsonObject): number | undefined {
  return (
    toCount(usageObject.num_cached_tokens) ??
    toCount(valueAt(usageObject, 'prompt_tokens_details', 'cached_tokens')) ??
    toCount(valueAt(usageObject, 'prompt_token_details', 'cached_tokens'))
  );
}

const isMistralError = (body: JsonObject): boolean => body.object === 'error';

export const mistral: ProviderFormat = {
  name: 'mistral',
  provider: 'mistral_ai',
  // Mistral bodies look like OpenAI's: without a `mistral_ai` hint, OpenAI chat reads them first.
  matches: (body) => isMistralError(body) || isChatCompletion(body),
  read: (body) =>
    isMistralError(body)
      ? // Mistral's `code` is an opaque number ("3230"); `type` names the failure.
        facts({ error: errorValue(body, ['type', 'code']) })
      : readChatCompletion(body, mistralCachedTokens),
  stream: chatStream,
};
