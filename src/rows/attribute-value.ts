/**
 * Attribute values stringified the way the OTel Collector's ClickHouse exporter does it
 * (pcommon `Value.AsString()`): strings as they are, booleans as `true`/`false`, numbers in
 * shortest round-trip form (Go's float formatting matches JS `String(n)`), arrays as JSON.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';

export function attributeToString(value: AttributeValue | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return JSON.stringify(value, nonFiniteAsString);
  return '';
}

// JSON has no NaN/Infinity; keep them visible instead of the `null` JSON.stringify would write.
function nonFiniteAsString(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

export function attributesToMap(attributes: Attributes | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!attributes) return out;
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) out[key] = attributeToString(value);
  }
  return out;
}
