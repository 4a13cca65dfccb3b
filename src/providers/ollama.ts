/**
 * Ollama native API: `/api/chat`, `/api/generate` (and `/api/embed`, which reports
 * `prompt_eval_count` only). `prompt_eval_count` is the prompt, `eval_count` the output;
 * Ollama leaves `prompt_eval_count` out when the whole prompt came from its cache. Streaming
 * sends NDJSON chunks; the last (`done: true`) holds the counts and `done_reason`.
 * Errors are `{error: string}`, also mid-stream. The OpenAI-compatible `/v1` endpoints are read
 * by the OpenAI chat format.
 * Sources: ollama/ollama-js `src/interfaces.ts` (`ChatResponse`, `GenerateResponse`, `ErrorResponse`).
 */
import { toCount, toText } from '../model/normalize.js';
import { errorValue, facts, finishReasons, usage } from './facts.js';
import type { ProviderFormat } from './format.js';
import { mergeLatest, type JsonObject } from '../model/json.js';

function read(body: JsonObject) {
  const promptTokens = toCount(body.prompt_eval_count);
  const completionTokens = toCount(body.eval_count);
  return facts({
    usage: usage({ promptTokens, completionTokens }),
    error: errorValue(body.error, []),
    model: toText(body.model),
    finishReasons: finishReasons([body.done_reason]),
  });
}

const isChunk = (body: JsonObject): boolean => typeof body.done === 'boolean' || typeof body.error === 'string';

export const ollama: ProviderFormat = {
  name: 'ollama',
  provider: 'ollama',
  matches: (body) => isChunk(body) || 'prompt_eval_count' in body || 'eval_count' in body,
  read,
  stream: {
    matches: isChunk,
    fold: mergeLatest,
  },
};
