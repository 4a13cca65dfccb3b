import { describe, expect, it } from 'vitest';
import { detectLlmCall } from '../../../src/detect/detect.js';
import { NestedCallJoiner, type DetectedCall } from '../../../src/pipeline/join.js';
import { RecentSpans } from '../../../src/pipeline/recent-spans.js';
import type { StartFacts } from '../../../src/pipeline/span-starts.js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { toLlmRow } from '../../../src/rows/llm-row.js';
import { loadFixture, type SpanFixture } from '../../support/span-fixtures.js';
import { makeSpan } from '../../support/spans.js';
import { inclusiveTokens } from '../../support/token-truth.js';

/** The provider's usage of the fixture's one call, as the token columns of its row. */
function truth(fixture: SpanFixture) {
  const call = fixture.provider.calls[0]!;
  return inclusiveTokens(call.api, call.usage!);
}

const NOT_SEEN: StartFacts = { seen: false, innerIds: [] };

function detected(spans: readonly ReadableSpan[], start: StartFacts = NOT_SEEN): DetectedCall[] {
  return spans.flatMap((span) => {
    const call = detectLlmCall(span);
    return call ? [{ span, call, start }] : [];
  });
}

/** A joiner and the spans it has seen, as the converter keeps them; `exportSpans` is one export. */
function joinerAt(clock: { now: number }, holdMs = 10_000, maxHeld = 100) {
  const recent = new RecentSpans();
  const joiner = new NestedCallJoiner(recent, holdMs, maxHeld, () => clock.now);
  const exportSpans = (spans: readonly ReadableSpan[], start: StartFacts = NOT_SEEN) => {
    for (const span of spans) recent.add(span, start);
    // The spans of bothSeen() are not the test's.
    return joiner.join(detected(spans, start)).filter((entry) => !entry.span.spanContext().spanId.startsWith('5d4a5d4a'));
  };
  return { joiner, exportSpans };
}

const ANTHROPIC_SDK = 'com.anthropic.sdk.typescript';

const isNative = (span: ReadableSpan) => span.instrumentationScope.name === ANTHROPIC_SDK;

/** Spans of the Anthropic SDK and of Traceloop (remote parent, long ago): both trace Anthropic calls here. */
function bothSeen(): ReadableSpan[] {
  return ['anthropic-sdk@0.137/messages-cached', 'traceloop-anthropic@0.27/messages-cached'].map((path, i) => {
    const [span] = loadFixture(path).spans;
    return {
      ...span!,
      spanContext: () => ({ ...span!.spanContext(), spanId: `5d4a5d4a5d4a5d4${i}` }),
      parentSpanContext: { ...span!.spanContext(), spanId: '5d4a5d4a5d4a5d4f', isRemote: true },
      startTime: [1_000_000_000, 0],
      endTime: [1_000_000_000, 1],
    };
  });
}

describe('one provider request, one row, across nested spans', () => {
  it('joins Traceloop’s span and the Anthropic SDK’s own span into one call with the provider’s usage', () => {
    const fixture = loadFixture('traceloop-anthropic@0.27/with-native-messages-cached');
    expect(detected(fixture.spans)).toHaveLength(2);
    const joined = joinerAt({ now: 0 }).exportSpans(fixture.spans);
    expect(joined).toHaveLength(1);
    const outer = fixture.spans.find((span) => span.instrumentationScope.name.startsWith('@traceloop'))!;
    expect(joined[0]!.span).toBe(outer);
    expect(toLlmRow(joined[0]!.span, joined[0]!.call)).toMatchObject(truth(fixture));
  });

  it('joins them when the inner span reaches the exporter first, in an earlier export', () => {
    const fixture = loadFixture('openinference-anthropic@0.2/anthropic1-with-native-messages-cached');
    const inner = fixture.spans.find(isNative)!;
    const clock = { now: 0 };
    const { joiner, exportSpans } = joinerAt(clock);
    expect(exportSpans([inner])).toEqual([]);
    expect(joiner.size).toBe(1);
    clock.now = 2_000;
    const joined = exportSpans(fixture.spans.filter((span) => span !== inner));
    expect(joined).toHaveLength(1);
    expect(joined[0]!.span).not.toBe(inner);
    expect(toLlmRow(joined[0]!.span, joined[0]!.call)).toMatchObject(truth(fixture));
    expect(joiner.size).toBe(0);
  });

  it('joins them when the outer span is handed over first, keeping the inner span’s time to first token', () => {
    const fixture = loadFixture('traceloop-anthropic@0.27/with-native-messages-stream-cached');
    const [outer, inner] = fixture.spans;
    expect(isNative(inner!)).toBe(true);
    const { joiner, exportSpans } = joinerAt({ now: 0 });
    exportSpans(bothSeen());
    expect(exportSpans([outer!])).toEqual([]);
    const joined = exportSpans([inner!]);
    expect(joined.map((entry) => entry.span)).toEqual([outer]);
    const row = toLlmRow(joined[0]!.span, joined[0]!.call);
    expect(row).toMatchObject(truth(fixture));
    expect(row.time_to_first_token_ms).toBeGreaterThan(0);
    expect(joiner.size).toBe(0);
  });

  it('writes a held call alone when its partner never comes, after the hold window', () => {
    const fixture = loadFixture('traceloop-anthropic@0.27/with-native-error-400-stream');
    const inner = fixture.spans.find(isNative)!;
    const clock = { now: 0 };
    const { joiner, exportSpans } = joinerAt(clock);
    expect(exportSpans([inner])).toEqual([]);
    clock.now = 9_999;
    expect(joiner.release()).toEqual([]);
    clock.now = 10_000;
    const released = joiner.release();
    expect(released.map((entry) => entry.span)).toEqual([inner]);
    expect(released[0]!.call.error).toBeDefined();
    expect(joiner.size).toBe(0);
  });

  it('without the context processor, writes Anthropic spans at once until both the SDK and an instrumentation are seen tracing them', () => {
    const [alone] = loadFixture('traceloop-anthropic@0.27/messages-cached').spans;
    const [native] = loadFixture('anthropic-sdk@0.137/messages-cached').spans;
    const onlyTraceloop = joinerAt({ now: 0 });
    expect(onlyTraceloop.exportSpans([alone!]).map((entry) => entry.span)).toEqual([alone]);
    const onlySdk = joinerAt({ now: 0 });
    expect(onlySdk.exportSpans([native!]).map((entry) => entry.span)).toEqual([native]);
    expect(onlyTraceloop.joiner.size + onlySdk.joiner.size).toBe(0);
  });

  it('without the context processor, stops waiting once spans that ended a second later have come', () => {
    const [alone] = loadFixture('traceloop-anthropic@0.27/messages-cached').spans;
    const { joiner, exportSpans } = joinerAt({ now: 0 });
    exportSpans(bothSeen());
    // Now Traceloop's Anthropic span may have the SDK's own span of the request inside: it waits.
    expect(exportSpans([alone!])).toEqual([]);
    const justAfter = makeSpan({ spanId: '00000000000000b1', startTime: alone!.endTime, endTime: alone!.endTime });
    expect(exportSpans([justAfter])).toEqual([]);
    const [seconds, nanos] = alone!.endTime;
    const later = makeSpan({ spanId: '00000000000000b2', startTime: [seconds + 1, nanos], endTime: [seconds + 1, nanos + 1_000_000] });
    expect(exportSpans([later]).map((entry) => entry.span)).toEqual([alone]);
    expect(joiner.size).toBe(0);
  });

  it('with the context processor, a call with no partner coming is written at once', () => {
    const traceloop = loadFixture('traceloop-anthropic@0.27/messages-cached').spans[0]!;
    const native = loadFixture('anthropic-sdk@0.137/messages-cached').spans[0]!;
    const under = { ...native, parentSpanContext: { ...native.spanContext(), spanId: '00000000000000c1' } } as ReadableSpan;
    const { joiner, exportSpans } = joinerAt({ now: 0 });
    const seenAlone: StartFacts = { seen: true, innerIds: [] };
    expect(exportSpans([traceloop], seenAlone).map((entry) => entry.span)).toEqual([traceloop]);
    // The SDK's span under a parent that was no LLM call when it started: nothing to wait for.
    expect(exportSpans([under], seenAlone).map((entry) => entry.span)).toEqual([under]);
    expect(joiner.size).toBe(0);
  });

  it('with the context processor, an outer call waits for the inner span that started in it', () => {
    const fixture = loadFixture('openinference-anthropic@0.2/anthropic1-with-native-messages-thinking');
    const outer = fixture.spans.find((span) => !isNative(span))!;
    const inner = fixture.spans.find(isNative)!;
    const { joiner, exportSpans } = joinerAt({ now: 0 });
    const outerId = outer.spanContext().spanId;
    expect(exportSpans([outer], { seen: true, innerIds: [inner.spanContext().spanId] })).toEqual([]);
    const joined = exportSpans([inner], { seen: true, innerIds: [], outerId });
    expect(joined.map((entry) => entry.span)).toEqual([outer]);
    expect(toLlmRow(joined[0]!.span, joined[0]!.call)).toMatchObject(truth(fixture));
    expect(joiner.size).toBe(0);
  });

  it('keeps one row per inner request when a wrapper holds several (AI SDK 7 embeddings)', () => {
    const fixture = loadFixture('ai@7/genai-embed-openai');
    const joined = joinerAt({ now: 0 }).exportSpans(fixture.spans);
    expect(joined).toHaveLength(1);
    expect(joined[0]!.call.usage?.promptTokens).toBe(7);
    const [outer] = fixture.spans.filter((span) => !span.parentSpanContext);
    const [inner] = fixture.spans.filter((span) => span.parentSpanContext);
    const second = { ...inner!, spanContext: () => ({ ...inner!.spanContext(), spanId: '00000000000000aa' }) } as ReadableSpan;
    const rows = joinerAt({ now: 0 }).exportSpans([inner!, second, outer!]);
    expect(rows.map((row) => row.span.spanContext().spanId).sort()).toEqual(['00000000000000aa', inner!.spanContext().spanId].sort());
    expect(rows.every((row) => row.call.usage?.promptTokens === 7)).toBe(true);
  });

  it('bounds what it holds: past the limit the oldest call is written as it is, at once', () => {
    const fixture = loadFixture('anthropic-sdk@0.137/messages-cached');
    const inner = fixture.spans[0]!;
    const orphan = (i: number) =>
      ({
        ...inner,
        spanContext: () => ({ ...inner.spanContext(), spanId: `00000000000002${String(i).padStart(2, '0')}` }),
        parentSpanContext: { ...inner.spanContext(), spanId: `00000000000001${String(i).padStart(2, '0')}` },
      }) as ReadableSpan;
    const { joiner, exportSpans } = joinerAt({ now: 0 }, 10_000, 2);
    expect(exportSpans([orphan(0)])).toEqual([]);
    expect(exportSpans([orphan(1)])).toEqual([]);
    expect(exportSpans([orphan(2)]).map((entry) => entry.span.spanContext().spanId)).toEqual(['0000000000000200']);
    expect(joiner.size).toBe(2);
    expect(joiner.release(true)).toHaveLength(2);
    expect(joiner.size).toBe(0);
  });
});
