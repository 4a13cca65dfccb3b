/**
 * Amazon Bedrock Converse / ConverseStream. `usage.inputTokens` EXCLUDES `cacheReadInputTokens`
 * and `cacheWriteInputTokens`, so the inclusive prompt is their sum. The response names no model.
 * Errors are flat: `{message}`, the exception name travels in the `x-amzn-ErrorType` header
 * (some clients copy it into `type`). ConverseStream delivers `messageStop` (stop reason),
 * `metadata` (usage) and `*Exception` events.
 * Sources: AWS Bedrock API reference `TokenUsage`, `ConverseStreamOutput`; vercel/ai
 * `packages/amazon-bedrock/src/convert-amazon-bedrock-usage.ts`, `amazon-bedrock-error.ts`,
 * `__fixtures__/amazon-bedrock-text.json`, `__fixtures__/bedrock-text.chunks.txt`.
 */
import { toCount } from '../model/normalize.js';
import { callError, facts, finishReasons, sum, usage } from './facts.js';
import type { ProviderFormat } from './format.js';
import { isObject, mergeLatest, objectAt, valueAt, type JsonObject } from '../model/json.js';

const STREAM_EVENTS = ['messageStart', 'contentBlockStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata'];

function read(body: JsonObject) {
  const counts = objectAt(body, 'usage');
  const cacheRead = toCount(counts?.cacheReadInputTokens);
  const cacheWrite = toCount(counts?.cacheWriteInputTokens);
  return facts({
    usage:
      counts &&
      usage({
        promptTokens: sum(toCount(counts.inputTokens), cacheRead, cacheWrite),
        completionTokens: toCount(counts.outputTokens),
        totalTokens: toCount(counts.totalTokens),
        cachedInputTokens: cacheRead,
        cacheWriteTokens: cacheWrite,
      }),
    error: callError(body.type, body.message),
    finishReasons: finishReasons([body.stopReason]),
  });
}

/** The first `*Exception` member of a stream event, as a flat error body. */
function exceptionOf(event: JsonObject): JsonObject | undefined {
  const name = Object.keys(event).find((key) => key.endsWith('Exception') && isObject(event[key]));
  return name === undefined ? undefined : { type: name, message: valueAt(event, name, 'message') };
}

export const bedrockConverse: ProviderFormat = {
  name: 'bedrock-converse',
  provider: 'aws.bedrock',
  matches: (body) =>
    valueAt(body, 'usage', 'inputTokens') !== undefined ||
    typeof body.stopReason === 'string' ||
    isObject(valueAt(body, 'output', 'message')) ||
    typeof body.message === 'string',
  read,
  stream: {
    matches: (event) => STREAM_EVENTS.some((key) => isObject(event[key])) || exceptionOf(event) !== undefined,
    fold: (events) =>
      mergeLatest(
        events.flatMap((event) => [objectAt(event, 'messageStop'), objectAt(event, 'metadata'), exceptionOf(event)].filter(isObject)),
      ),
  },
};
