/**
 * Lenient typed reads of span attributes, and the small pure helpers every convention module
 * shares: flattened lists, emitter usage to inclusive usage, event timing.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { hrTimeDuration, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ProvidedCost, TokenUsage } from '../model/llm-call.js';
import { toCount, toText } from '../model/normalize.js';
import { RawJson } from '../model/neutral-payload.js';

export function text(attributes: Attributes, key: string): string | undefined {
  return toText(attributes[key]);
}

export function count(attributes: Attributes, key: string): number | undefined {
  return toCount(attributes[key]);
}

export function number(attributes: Attributes, key: string): number | undefined {
  const value = attributes[key];
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** A string list from a string[] attribute, a JSON-array string, or a single string. */
export function textList(attributes: Attributes, key: string): string[] | undefined {
  const value = attributes[key];
  let list: unknown[] | undefined;
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'string') {
    const parsed = value.trimStart().startsWith('[') ? parseJson(value) : undefined;
    list = Array.isArray(parsed) ? parsed : [value];
  }
  const out = list?.map(toText).filter((v): v is string => v !== undefined);
  return out && out.length > 0 ? out : undefined;
}

/**
 * A JSON-valued attribute for a neutral document as it is: valid JSON text kept as text (see
 * RawJson), anything else (text that does not parse, non-string values) as a plain value.
 */
export function jsonText(attributes: Attributes, key: string): unknown {
  const value = attributes[key];
  if (typeof value !== 'string') return value;
  return parseJson(value) === undefined ? value : new RawJson(value);
}

/** JSON-valued attributes (messages, tool definitions): parsed, or the raw text when it does not parse. */
export function json(attributes: Attributes, key: string): unknown {
  return parsedJson(attributes[key]);
}

/** JSON text parsed; text that does not parse, and any other value, as is. */
export function parsedJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const parsed = parseJson(value);
  return parsed === undefined ? value : parsed;
}

export function parseJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** All attributes under `prefix`, keyed by the rest of the key, as strings. */
export function withPrefix(attributes: Attributes, prefix: string): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const key in attributes) {
    if (!key.startsWith(prefix) || key.length === prefix.length) continue;
    const value = attributes[key];
    const rendered = Array.isArray(value) ? JSON.stringify(value) : toText(value);
    if (rendered !== undefined) (out ??= {})[key.slice(prefix.length)] = rendered;
  }
  return out;
}

/** The attributes under `prefix`, keyed by the rest of the key, values as recorded. */
export function attributesUnder(attributes: Attributes, prefix: string): Record<string, AttributeValue> | undefined {
  let out: Record<string, AttributeValue> | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    if (!key.startsWith(prefix) || key.length === prefix.length || value === undefined || value === null) continue;
    (out ??= {})[key.slice(prefix.length)] = value;
  }
  return out;
}

/**
 * Flattened lists (`llm.input_messages.0.message.role`, `gen_ai.prompt.1.content`): the
 * attributes of each `{prefix}{index}.` group, keyed by the rest of the key, in index order.
 */
export function indexed(attributes: Attributes, prefix: string): Attributes[] {
  const groups = new Map<number, Attributes>();
  for (const key in attributes) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    const index = Number(rest.slice(0, dot));
    if (dot <= 0 || !Number.isInteger(index) || index < 0) continue;
    let group = groups.get(index);
    if (group === undefined) groups.set(index, (group = {}));
    group[rest.slice(dot + 1)] = attributes[key];
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

/** Token counts as an emitter reported them, before conversion to inclusive semantics. */
export interface ReportedUsage {
  input?: number;
  output?: number;
  total?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

/** What an emitter's counts leave out, when known from its source. */
export interface UsageSemantics {
  inputExcludesCache?: boolean;
  outputExcludesReasoning?: boolean;
}

/**
 * Usage under the inclusive rule (llm-call.ts). Cache tokens are added to the input when the
 * emitter is known to leave them out, or evidently did (more cache than input); reasoning the
 * same way. A total reported over exclusive counts is recomputed. Undefined when nothing was
 * reported.
 */
export function inclusiveUsage(reported: ReportedUsage, semantics: UsageSemantics = {}): TokenUsage | undefined {
  const { input, output, total, cacheRead, cacheWrite, reasoning } = reported;
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const cached = (cacheRead ?? 0) + (cacheWrite ?? 0);
  const addCache = input !== undefined && cached > 0 && (semantics.inputExcludesCache === true || cached > input);
  const addReasoning =
    output !== undefined && reasoning !== undefined && reasoning > 0 && (semantics.outputExcludesReasoning === true || reasoning > output);
  const promptTokens = addCache ? input + cached : input;
  const completionTokens = addReasoning ? output + reasoning : output;
  return {
    promptTokens,
    completionTokens,
    totalTokens: total !== undefined && !addCache && !addReasoning ? total : (promptTokens ?? 0) + (completionTokens ?? 0),
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: reasoning,
  };
}

/** Milliseconds from the span's start to its first event named `name` (a first-token mark). */
export function millisToEvent(span: ReadableSpan, name: string): number | undefined {
  const event = span.events.find((candidate) => candidate.name === name);
  return event === undefined ? undefined : hrTimeToMilliseconds(hrTimeDuration(span.startTime, event.time));
}

/** A cost in USD the span reports itself, with the input/output split where the emitter gives it. */
export function providedCost(attributes: Attributes, totalKey: string, inputKey: string, outputKey: string): ProvidedCost | undefined {
  const totalUsd = number(attributes, totalKey);
  if (totalUsd === undefined) return undefined;
  return { totalUsd, inputUsd: number(attributes, inputKey), outputUsd: number(attributes, outputKey) };
}
