/**
 * Property: whatever spans an app hands over, nothing throws, every insert succeeds and every
 * row reads back. Random spans (odd strings, lone surrogates, every attribute type, absurd times
 * and token counts, malformed payload JSON, deep nesting) go through the whole pipeline into
 * embedded ClickHouse.
 */
import { SpanKind, SpanStatusCode, type AttributeValue, type Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../src/exporter.js';
import { useTestStore } from '../support/store.js';
import { makeSpan } from '../support/spans.js';

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\ud800', 'a\udfffb', '\u0000', '\\', '"', "'; DROP TABLE x; --", '{"unclosed": [', '😀'.repeat(3), 'x'.repeat(3000)),
);
const count = fc.oneof(
  fc.integer({ min: -5, max: 1_000_000 }),
  fc.constantFrom(NaN, Infinity, -Infinity, 1.5, 2 ** 60),
  fc.constantFrom('12', 'abc', ''),
);
const attributeValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  nasty,
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.array(nasty, { maxLength: 3 }),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.array(fc.boolean(), { maxLength: 3 }),
);
const deepJson = fc
  .letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue(),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(nasty, tie('node'), { maxKeys: 3 }),
    ),
  }))
  .node.map((value) => JSON.stringify(value));
const llmAttributes: fc.Arbitrary<Attributes> = fc.record(
  {
    'gen_ai.operation.name': fc.constantFrom('chat', 'embeddings', 'invoke_agent', 'text_completion', 'weird'),
    'gen_ai.provider.name': fc.oneof(nasty, fc.constantFrom('openai', 'Anthropic', 'aws.bedrock')),
    'gen_ai.request.model': nasty,
    'gen_ai.usage.input_tokens': count as fc.Arbitrary<AttributeValue>,
    'gen_ai.usage.output_tokens': count as fc.Arbitrary<AttributeValue>,
    'gen_ai.usage.cache_read.input_tokens': count as fc.Arbitrary<AttributeValue>,
    'gen_ai.response.finish_reasons': fc.array(nasty, { maxLength: 3 }),
    'gen_ai.input.messages': fc.oneof(nasty, deepJson),
    'llm_traces.request_json': fc.oneof(nasty, deepJson),
    'llm_traces.response_json': fc.oneof(nasty, deepJson),
    'llm_traces.llm_config_json': fc.oneof(nasty, deepJson),
    'llm_traces.agent_tags': fc.array(nasty, { maxLength: 3 }),
    'llm_traces.id': fc.oneof(nasty, fc.constant('provider_trace-')),
  },
  { requiredKeys: [] },
);
const time = fc.tuple(fc.oneof(fc.integer({ min: -10, max: 20_000_000_000 }), fc.constant(NaN)), fc.integer({ min: 0, max: 999_999_999 }));
const span = fc
  .record({
    name: nasty,
    kind: fc.constantFrom(SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER),
    spanId: fc.oneof(hex(16), fc.constant('0000000000000000')),
    traceId: hex(32),
    parentSpanId: fc.option(hex(16), { nil: undefined }),
    start: time,
    durationNs: fc.integer({ min: 0, max: 10 ** 12 }),
    status: fc.record({
      code: fc.constantFrom(SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR),
      message: fc.option(nasty, { nil: undefined }),
    }),
    attributes: fc.tuple(llmAttributes, fc.dictionary(nasty, attributeValue, { maxKeys: 5 })).map(([llm, other]) => ({ ...other, ...llm })),
    events: fc.array(fc.record({ name: nasty, attributes: fc.dictionary(nasty, attributeValue, { maxKeys: 3 }) }), { maxLength: 2 }),
  })
  .map((s) =>
    makeSpan({
      name: s.name,
      kind: s.kind,
      spanId: s.spanId,
      traceId: s.traceId,
      parentSpanId: s.parentSpanId,
      startTime: [s.start[0], s.start[1]],
      endTime: [s.start[0] + Math.floor(s.durationNs / 1e9), s.start[1]],
      status: s.status,
      attributes: s.attributes,
      events: s.events.map((e) => ({ ...e, time: [s.start[0], s.start[1]] as [number, number] })),
    }),
  );

describe('random spans through the whole pipeline', () => {
  const store = useTestStore();

  it('never throws, never fails an insert, and every span reads back', async () => {
    const exporter = new ClickHouseTraceExporter({ client: store.client, maxPayloadBytes: 4096 });
    await exporter.ready();
    let handed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(span, { minLength: 1, maxLength: 25 }), async (spans) => {
        const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
        expect(result.error).toBeUndefined();
        expect(result.code).toBe(0);
        handed += spans.length;
      }),
      { numRuns: 40, seed: 20261122 },
    );
    await exporter.shutdown();
    const stats = exporter.stats()!;
    expect(stats.dropped).toEqual({ buffer_full: 0, expired: 0, shutdown: 0, permanent_failure: 0, invalid_row: 0, conversion: 0 });
    expect(stats.exportedSpans).toBe(handed);
    const [row] = await store.rows<{ spans: string; calls: string }>(
      'SELECT toString((SELECT count() FROM otel.otel_traces)) AS spans, toString((SELECT count() FROM otel.llm_traces)) AS calls',
    );
    expect(Number(row!.spans)).toBe(handed);
    expect(Number(row!.calls)).toBe(stats.exportedLlmCalls);
    expect(stats.exportedLlmCalls).toBeGreaterThan(0);
  });
});
