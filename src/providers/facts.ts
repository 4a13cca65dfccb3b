/**
 * Builders every provider format uses to turn raw values into `ProviderPayloadFacts`: absent
 * values stay absent (never 0), totals are derived only from reported parts, error messages are
 * capped, finish reasons are normalized.
 */
import type { CallError, ProviderPayloadFacts, TokenUsage } from '../model/llm-call.js';
import { capErrorMessage, normalizeFinishReasons, toText } from '../model/normalize.js';
import { isObject } from '../model/json.js';

/** Drops undefined fields; an object with none left is "not reported". */
function compact<T extends object>(fields: T): T | undefined {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

/** Sum of the reported parts; undefined only when none is reported. */
export function sum(...parts: ReadonlyArray<number | undefined>): number | undefined {
  const reported = parts.filter((part): part is number => part !== undefined);
  return reported.length > 0 ? reported.reduce((a, b) => a + b, 0) : undefined;
}

/**
 * Inclusive usage from already-converted counts. `totalTokens` is the provider's own total when it
 * gives one, else prompt + completion when both are reported.
 */
export function usage(counts: TokenUsage): TokenUsage | undefined {
  const { promptTokens, completionTokens } = counts;
  const derivedTotal = promptTokens !== undefined && completionTokens !== undefined ? promptTokens + completionTokens : undefined;
  return compact({ ...counts, totalTokens: counts.totalTokens ?? derivedTotal });
}

/** A `CallError` from a type and message of any JSON type; undefined when neither is text. */
export function callError(type: unknown, message: unknown): CallError | undefined {
  const text = toText(message);
  return compact({ type: toText(type), message: text === undefined ? undefined : capErrorMessage(text) });
}

/**
 * A provider `error` value: a plain string (Ollama), or an object whose type is the first of
 * `typeKeys` that holds text (`code` before `type` for OpenAI, `status` before `code` for Google).
 * `null` (a successful OpenAI Responses body) is no error.
 */
export function errorValue(value: unknown, typeKeys: readonly string[]): CallError | undefined {
  if (typeof value === 'string') return callError(undefined, value);
  if (!isObject(value)) return undefined;
  const type = typeKeys.map((key) => toText(value[key])).find((text) => text !== undefined);
  return callError(type, value.message);
}

/** Normalized finish reasons from raw values; non-strings (null while streaming) are skipped. */
export function finishReasons(values: readonly unknown[]): string[] | undefined {
  return normalizeFinishReasons(values.filter((value): value is string => typeof value === 'string'));
}

/** The facts with unreported fields left out. */
export function facts(fields: ProviderPayloadFacts): ProviderPayloadFacts {
  return compact(fields) ?? {};
}
