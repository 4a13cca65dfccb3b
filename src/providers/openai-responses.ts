/**
 * OpenAI Responses API. `input_tokens` includes cached tokens, `output_tokens` includes
 * reasoning tokens. A successful body carries `error: null`; a failed one (`status: "failed"`)
 * carries `error: {code, message}`. There is no per-choice finish reason: it follows from
 * `status` and `incomplete_details.reason`.
 * Sources: openai/openai-python `types/responses/response_usage.py`, `response_error.py`;
 * vercel/ai `packages/openai/src/responses/convert-openai-responses-usage.ts`,
 * `map-openai-responses-finish-reason.ts`, `__fixtures__/openai-error.1.chunks.txt`.
 */
import { toCount, toText } from '../model/normalize.js';
import { errorValue, facts, finishReasons, usage } from './facts.js';
import type { ProviderFormat } from './format.js';
import { isObject, objectAt, objectsIn, valueAt, type JsonObject } from '../model/json.js';
import { OPENAI_ERROR_TYPE_KEYS } from './openai-chat.js';

// Output items the caller must act on: the turn ended to call a tool.
const CLIENT_TOOL_CALLS = new Set(['function_call', 'custom_tool_call']);

function finishReason(body: JsonObject): string | undefined {
  const incomplete = toText(valueAt(body, 'incomplete_details', 'reason'));
  if (incomplete !== undefined) return incomplete;
  if (body.status !== 'completed') return undefined;
  const callsTool = objectsIn(body.output).some((item) => typeof item.type === 'string' && CLIENT_TOOL_CALLS.has(item.type));
  return callsTool ? 'tool_calls' : 'stop';
}

function read(body: JsonObject) {
  const counts = objectAt(body, 'usage');
  return facts({
    usage:
      counts &&
      usage({
        promptTokens: toCount(counts.input_tokens),
        completionTokens: toCount(counts.output_tokens),
        totalTokens: toCount(counts.total_tokens),
        cachedInputTokens: toCount(valueAt(counts, 'input_tokens_details', 'cached_tokens')),
        reasoningTokens: toCount(valueAt(counts, 'output_tokens_details', 'reasoning_tokens')),
      }),
    error: errorValue(body.error, OPENAI_ERROR_TYPE_KEYS),
    model: toText(body.model),
    finishReasons: finishReasons([finishReason(body)]),
  });
}

/** Stream `error` events: flat `{type: "error", code, message}` or nested `{error: {...}}`. */
function errorEventValue(event: JsonObject): unknown {
  return isObject(event.error) ? event.error : event;
}

export const openAiResponses: ProviderFormat = {
  name: 'openai-responses',
  provider: 'openai',
  matches: (body) =>
    body.object === 'response' ||
    valueAt(body, 'usage', 'input_tokens_details') !== undefined ||
    valueAt(body, 'usage', 'output_tokens_details', 'reasoning_tokens') !== undefined,
  read,
  stream: {
    matches: (event) => typeof event.type === 'string' && event.type.startsWith('response.'),
    // Every `response.*` lifecycle event carries the response so far; the terminal one
    // (`completed`, `failed`, `incomplete`) carries usage. An `error` event may precede it.
    fold: (events) => {
      const snapshots = events.map((event) => objectAt(event, 'response')).filter(isObject);
      const final = snapshots.at(-1) ?? {};
      const errorEvent = events.filter((event) => event.type === 'error').at(-1);
      return isObject(final.error) || errorEvent === undefined ? final : { ...final, error: errorEventValue(errorEvent) };
    },
  },
};
