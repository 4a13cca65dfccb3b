/**
 * Anthropic Messages. `input_tokens` EXCLUDES cache reads and cache writes, so the inclusive
 * prompt is input + cache_read + cache_creation; `output_tokens` includes thinking tokens.
 * Streaming: `message_start` carries the message with its usage so far, each `message_delta`
 * carries cumulative counts (always `output_tokens`, newer API versions also input and cache)
 * and the stop reason.
 * Sources: anthropics/anthropic-sdk-python `types/usage.py`, `types/message_delta_usage.py`;
 * vercel/ai `packages/anthropic/src/convert-anthropic-usage.ts`, `anthropic-error.ts`,
 * `__fixtures__/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt`.
 */
import { toCount, toText } from '../model/normalize.js';
import { errorValue, facts, finishReasons, sum, usage } from './facts.js';
import type { ProviderFormat } from './format.js';
import { isObject, mergeLatest, objectAt, valueAt, type JsonObject } from '../model/json.js';

const STREAM_EVENTS = new Set([
  'message_start',
  'message_delta',
  'message_stop',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'ping',
]);

function read(body: JsonObject) {
  const counts = objectAt(body, 'usage');
  const cacheRead = toCount(counts?.cache_read_input_tokens);
  const cacheWrite = toCount(counts?.cache_creation_input_tokens);
  return facts({
    usage:
      counts &&
      usage({
        promptTokens: sum(toCount(counts.input_tokens), cacheRead, cacheWrite),
        completionTokens: toCount(counts.output_tokens),
        cachedInputTokens: cacheRead,
        cacheWriteTokens: cacheWrite,
        reasoningTokens: toCount(valueAt(counts, 'output_tokens_details', 'thinking_tokens')),
      }),
    error: errorValue(body.error, ['type']),
    model: toText(body.model),
    finishReasons: finishReasons([body.stop_reason]),
  });
}

function fold(events: readonly JsonObject[]): JsonObject {
  let message: JsonObject = {};
  let stopReason: unknown;
  let error: unknown;
  const usageUpdates: JsonObject[] = [];
  for (const event of events) {
    if (event.type === 'message_start' && isObject(event.message)) {
      message = event.message;
      usageUpdates.push(objectAt(message, 'usage') ?? {});
    } else if (event.type === 'message_delta') {
      usageUpdates.push(objectAt(event, 'usage') ?? {});
      stopReason = valueAt(event, 'delta', 'stop_reason') ?? stopReason;
    } else if (event.type === 'error') {
      error = event.error;
    }
  }
  const folded: JsonObject = { ...message, stop_reason: stopReason ?? message.stop_reason, error };
  // Counts are cumulative: the latest reported value of each field is the total.
  if (usageUpdates.length > 0) folded.usage = mergeLatest(usageUpdates);
  return folded;
}

export const anthropicMessages: ProviderFormat = {
  name: 'anthropic-messages',
  provider: 'anthropic',
  matches: (body) =>
    body.type === 'message' ||
    (body.type === 'error' && isObject(body.error)) ||
    valueAt(body, 'usage', 'cache_read_input_tokens') !== undefined ||
    valueAt(body, 'usage', 'cache_creation_input_tokens') !== undefined ||
    (valueAt(body, 'usage', 'input_tokens') !== undefined && 'stop_reason' in body),
  read,
  stream: {
    // The `error` event has the shape of the Responses API's nested error event too; either
    // format reads it the same way.
    matches: (event) =>
      (typeof event.type === 'string' && STREAM_EVENTS.has(event.type)) || (event.type === 'error' && isObject(event.error)),
    fold,
  },
};
