/**
 * Cohere chat (v2, and v1 which keeps the counts under `meta`) and embed. `tokens` are the tokens
 * the model processed; `billed_units` leave out Cohere's own prompt template, so `tokens` is
 * preferred and `billed_units` (all that embed reports) is the fallback. `cached_tokens` is part
 * of the input. The response names no model. Errors are flat: `{message}` (v2 adds `id`).
 * Streaming v2 ends with `message-end`, whose `delta` holds `finish_reason` and `usage`.
 * Sources: vercel/ai `packages/cohere/src/cohere-chat-language-model.ts`, `convert-cohere-usage.ts`,
 * `cohere-error.ts`, `__fixtures__/issue-22070-cached-usage.json`, `cohere-embedding.json`.
 */
import { toCount } from '../model/normalize.js';
import { callError, facts, finishReasons, usage } from './facts.js';
import type { ProviderFormat } from './format.js';
import { isObject, mergeLatest, objectAt, type JsonObject } from '../model/json.js';

function read(body: JsonObject) {
  const container = objectAt(body, 'usage') ?? objectAt(body, 'meta');
  // One source for both counts, so input and output are never taken from different meters.
  const counts = objectAt(container, 'tokens') ?? objectAt(container, 'billed_units');
  return facts({
    usage:
      counts &&
      usage({
        promptTokens: toCount(counts.input_tokens),
        completionTokens: toCount(counts.output_tokens),
        cachedInputTokens: toCount(container?.cached_tokens),
      }),
    error: callError(undefined, body.message),
    finishReasons: finishReasons([body.finish_reason]),
  });
}

export const cohere: ProviderFormat = {
  name: 'cohere',
  provider: 'cohere',
  matches: (body) =>
    objectAt(body, 'usage', 'billed_units') !== undefined ||
    objectAt(body, 'usage', 'tokens') !== undefined ||
    objectAt(body, 'meta', 'billed_units') !== undefined ||
    (typeof body.finish_reason === 'string' && isObject(body.message)) ||
    typeof body.message === 'string',
  read,
  stream: {
    matches: (event) => typeof event.type === 'string' && /^(message|content|tool|citation)-/.test(event.type),
    fold: (events) => mergeLatest(events.filter((event) => event.type === 'message-end').map((event) => objectAt(event, 'delta') ?? {})),
  },
};
