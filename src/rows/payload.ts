/**
 * What is stored of a request/response/config payload: the user's hook, then a size cap with a
 * visible truncation marker. The original size is kept either way. Payloads are built from span
 * attributes that were redacted of credentials already (convertSpans). Attribute values in both
 * tables are capped the same way (cappedText), at their own bound.
 */
import { diag } from '@opentelemetry/api';
import { DEFAULT_MAX_ATTRIBUTE_BYTES, type PayloadField, type PayloadPolicy } from '../config/config.js';
import { truncationMarker } from '../model/payload-marker.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export const DEFAULT_PAYLOAD_POLICY: PayloadPolicy = { store: true, maxBytes: 1024 * 1024, maxAttributeBytes: DEFAULT_MAX_ATTRIBUTE_BYTES };

export interface StoredPayload {
  text: string;
  /** UTF-8 bytes of the payload as the application produced it. */
  originalBytes: number;
  truncated: boolean;
}

export function storedPayload(text: string, field: PayloadField, policy: PayloadPolicy): StoredPayload {
  const originalBytes = Buffer.byteLength(text, 'utf8');
  if (!policy.store || text === '') return { text: '', originalBytes, truncated: false };
  let kept: string | undefined = text;
  if (policy.redact) {
    try {
      kept = policy.redact(kept, field);
    } catch (error) {
      // A failing hook must not leak what it was meant to remove: store nothing.
      log.error(`the redact hook threw on ${field}; the payload was not stored`, error);
      kept = undefined;
    }
  }
  if (typeof kept !== 'string') return { text: '', originalBytes, truncated: false };
  const keptBytes = kept === text ? originalBytes : Buffer.byteLength(kept, 'utf8');
  if (keptBytes <= policy.maxBytes) return { text: kept, originalBytes, truncated: false };
  return { text: cut(kept, policy.maxBytes, originalBytes), originalBytes, truncated: true };
}

/** `text` in at most `maxBytes` of UTF-8, cut with the marker when longer. */
export function cappedText(text: string, maxBytes: number): string {
  // UTF-16 length <= UTF-8 bytes <= 3 x length: most values are decided without counting bytes.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = text.length > maxBytes ? maxBytes + 1 : Buffer.byteLength(text, 'utf8');
  return bytes <= maxBytes ? text : cut(text, maxBytes, Buffer.byteLength(text, 'utf8'));
}

/** The head of `text` that fits `maxBytes` with the marker, which names `originalBytes`. */
function cut(text: string, maxBytes: number, originalBytes: number): string {
  const marker = truncationMarker(originalBytes);
  const budget = Math.max(0, maxBytes - Buffer.byteLength(marker, 'utf8'));
  // Only the characters that can fit are encoded (each is at least one byte); the cut is on a
  // character boundary: decode the first `budget` bytes and drop a split last character.
  const head = Buffer.from(text.slice(0, budget), 'utf8')
    .subarray(0, budget)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return head + marker;
}
