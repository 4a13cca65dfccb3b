/**
 * What is stored of a request/response/config payload: the user's hook, then a size cap with a
 * visible truncation marker. The original size is kept either way. Payloads are built from span
 * attributes that were redacted of credentials already (convertSpans).
 */
import { diag } from '@opentelemetry/api';
import type { PayloadField, PayloadPolicy } from '../config/config.js';
import { truncationMarker } from '../model/payload-marker.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export const DEFAULT_PAYLOAD_POLICY: PayloadPolicy = { store: true, maxBytes: 1024 * 1024 };

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
  const marker = truncationMarker(originalBytes);
  const budget = Math.max(0, policy.maxBytes - Buffer.byteLength(marker, 'utf8'));
  // Cut on a character boundary: decode the first `budget` bytes and drop a split last character.
  const head = Buffer.from(kept, 'utf8')
    .subarray(0, budget)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return { text: head + marker, originalBytes, truncated: true };
}
