import { describe, expect, it } from 'vitest';
import type { PayloadPolicy } from '../../../src/config/config.js';
import { truncationMarker } from '../../../src/model/payload-marker.js';
import { storedPayload } from '../../../src/rows/payload.js';

const policy = (overrides: Partial<PayloadPolicy> = {}): PayloadPolicy => ({ store: true, maxBytes: 64, ...overrides });

describe('storedPayload', () => {
  it('keeps a payload within the cap as it is, with its UTF-8 size', () => {
    expect(storedPayload('{"a":"é"}', 'request_json', policy())).toEqual({ text: '{"a":"é"}', originalBytes: 10, truncated: false });
  });

  it('cuts a longer payload to the cap, marker included, on a character boundary', () => {
    const text = '€'.repeat(100); // 3 bytes each
    const stored = storedPayload(text, 'response_json', policy());
    const marker = truncationMarker(300);
    expect(stored.truncated).toBe(true);
    expect(stored.originalBytes).toBe(300);
    expect(stored.text.endsWith(marker)).toBe(true);
    expect(Buffer.byteLength(stored.text)).toBeLessThanOrEqual(64);
    const head = stored.text.slice(0, -marker.length);
    expect(head).toBe('€'.repeat(head.length));
    expect(head.length).toBe(Math.floor((64 - Buffer.byteLength(marker)) / 3));
  });

  it('stores nothing, but the size, when payloads are off', () => {
    expect(storedPayload('{"a":1}', 'request_json', policy({ store: false }))).toEqual({ text: '', originalBytes: 7, truncated: false });
  });

  it('applies the redact hook before the cap, and measures the original', () => {
    const redact = (text: string) => text.replace('secret', 'x');
    expect(storedPayload('{"k":"secret"}', 'llm_config_json', policy({ redact }))).toEqual({
      text: '{"k":"x"}',
      originalBytes: 14,
      truncated: false,
    });
  });

  it('stores nothing when the hook drops the payload or throws', () => {
    expect(storedPayload('{"a":1}', 'request_json', policy({ redact: () => undefined })).text).toBe('');
    const throwing = () => {
      throw new Error('hook bug');
    };
    expect(storedPayload('{"a":1}', 'request_json', policy({ redact: throwing }))).toEqual({
      text: '',
      originalBytes: 7,
      truncated: false,
    });
  });
});
