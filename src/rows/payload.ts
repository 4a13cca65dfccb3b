/**
 * What is stored of a request/response/config payload: the user's hook, then a size cap with a
 * visible truncation marker. The original size is kept either way. Payloads are built from span
 * attributes that were redacted of credentials already (convertSpans).
 */
import { diag } from '@opentelemetry/api';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export type PayloadField = 'request_json' | 'response_json' | 'llm_config_json';

export interface PayloadPolicy {
  /** false: store no payloads at all (ids, model, tokens and timings only). */
  store: boolean;
  /** Also keep an LLM span's message-content attributes in otel_traces (stored twice then). */
  contentInTraces?: boolean;
  /** Bytes kept of each payload field; longer ones are cut and marked. */
  maxBytes: number;
  /** Redacts or drops more (PII): return the text to store, or undefined to store nothing. */
  redact?: (text: string, field: PayloadField) => string | undefined;
}

export const DEFAULT_PAYLOAD_POLICY: PayloadPolicy = { store: true, maxBytes: 1024 * 1024 };

export interface StoredPayload {
  text: string;
  /** UTF-8 bytes of the payload as the application produced it. */
  originalBytes: number;
  truncated: boolean;
}

export function truncationMarker(originalBytes: number): string {
  return `…[truncated by llm-traces: ${originalBytes} bytes in all]`;
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
