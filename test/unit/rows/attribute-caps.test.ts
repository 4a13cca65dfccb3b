import { SpanKind } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../../src/config/config.js';
import { truncationMarker } from '../../../src/model/payload-marker.js';
import { toLlmRow } from '../../../src/rows/llm-row.js';
import { toOtelRow } from '../../../src/rows/otel-row.js';
import { DEFAULT_PAYLOAD_POLICY } from '../../../src/rows/payload.js';
import { makeSpan } from '../../support/spans.js';

const big = 'x'.repeat(3 * 1024 * 1024);
const policy = { ...DEFAULT_PAYLOAD_POLICY, maxAttributeBytes: 1_000 };

describe('attribute value caps', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('caps a 3 MB attribute of a non-LLM span in otel_traces, with the payload marker and the original size', () => {
    const row = toOtelRow(makeSpan({ attributes: { 'db.statement': big, small: 'kept' } }), { payloads: policy });
    const stored = row.SpanAttributes['db.statement']!;
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(1_000);
    expect(stored.endsWith(truncationMarker(big.length))).toBe(true);
    expect(stored.startsWith('xxxx')).toBe(true);
    expect(row.SpanAttributes.small).toBe('kept');
  });

  it('caps event, link and resource attributes too', () => {
    const row = toOtelRow(
      makeSpan({
        events: [{ name: 'log', time: [1, 0], attributes: { body: big } }],
        links: [{ context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }, attributes: { note: big } }],
        resource: { 'service.name': 'capped', 'process.command_args': big },
      }),
      { payloads: policy },
    );
    for (const value of [
      row['Events.Attributes'][0]!.body,
      row['Links.Attributes'][0]!.note,
      row.ResourceAttributes['process.command_args'],
    ])
      expect(Buffer.byteLength(value!)).toBeLessThanOrEqual(1_000);
  });

  it('cuts on a character boundary', () => {
    const row = toOtelRow(makeSpan({ attributes: { text: '€'.repeat(2_000) } }), { payloads: policy });
    expect(row.SpanAttributes.text).not.toContain('\uFFFD');
    expect(row.SpanAttributes.text!.startsWith('€€€')).toBe(true);
  });

  it('caps metadata values in llm_traces', () => {
    const span = makeSpan({ kind: SpanKind.CLIENT });
    const row = toLlmRow(span, { provider: 'openai', metadata: { note: big } }, { payloads: policy });
    expect(Buffer.byteLength(row.metadata.note!)).toBeLessThanOrEqual(1_000);
    expect(row.metadata.note!.endsWith(truncationMarker(big.length))).toBe(true);
  });

  it('is 64 KiB by default, configurable, and honours the SDK OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', () => {
    expect(resolveConfig().payloads.maxAttributeBytes).toBe(64 * 1024);
    expect(resolveConfig({ maxAttributeBytes: 4096 }).payloads.maxAttributeBytes).toBe(4096);
    vi.stubEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', '2048');
    expect(resolveConfig().payloads.maxAttributeBytes).toBe(2048);
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_MAX_ATTRIBUTE_BYTES', '8192');
    expect(resolveConfig().payloads.maxAttributeBytes).toBe(8192);
  });
});
