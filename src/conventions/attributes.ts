/** Lenient typed reads of span attributes, shared by every convention module. */
import type { Attributes } from '@opentelemetry/api';
import { toCount, toText } from '../detect/normalize.js';

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

/** JSON-valued attributes (messages, tool definitions): parsed, or the raw text when it does not parse. */
export function json(attributes: Attributes, key: string): unknown {
  const value = attributes[key];
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
