import { describe, expect, it } from 'vitest';
import { detectLlmCall } from '../../../src/detect/detect.js';
import { NestedCallJoiner, type DetectedCall } from '../../../src/pipeline/join.js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { toLlmRow } from '../../../src/rows/llm-row.js';
import { loadFixture, type SpanFixture } from '../../support/span-fixtures.js';
import { inclusiveTokens } from '../../support/token-truth.js';

/** The provider's usage of the fixture's one call, as the token columns of its row. */
function truth(fixture: SpanFixture) {
  const call = fixture.provider.calls[0]!;
  return inclusiveTokens(call.api, call.usage!);
}

function detected(spans: readonly ReadableSpan[]): DetectedCall[] {
  return spans.flatMap((span) => {
    const call = detectLlmCall(span);
    return call ? [{ span, call }] : [];
  });
}

describe('one provider request, one row, across nested spans', () => {
  it('joins Traceloop’s span and the Anthropic SDK’s own span into one call with the provider’s usage', () => {
    const fixture = loadFixture('traceloop-anthropic@0.27/with-native-messages-cached');
    expect(detected(fixture.spans)).toHaveLength(2);
    const joined = new NestedCallJoiner().join(fixture.spans, detected(fixture.spans));
    expect(joined).toHaveLength(1);
    const outer = fixture.spans.find((span) => span.instrumentationScope.name.startsWith('@traceloop'))!;
    expect(joined[0]!.span).toBe(outer);
    expect(toLlmRow(joined[0]!.span, joined[0]!.call)).toMatchObject(truth(fixture));
  });

  it('joins them when the two spans reach the exporter in different exports', () => {
    const fixture = loadFixture('openinference-anthropic@0.2/anthropic1-with-native-messages-cached');
    const inner = fixture.spans.find((span) => span.instrumentationScope.name === 'com.anthropic.sdk.typescript')!;
    const rest = fixture.spans.filter((span) => span !== inner);
    let now = 0;
    const joiner = new NestedCallJoiner(10_000, 100, () => now);
    expect(joiner.join([inner], detected([inner]))).toEqual([]);
    expect(joiner.size).toBe(1);
    now = 2_000;
    const joined = joiner.join(rest, detected(rest));
    expect(joined).toHaveLength(1);
    expect(joined[0]!.span).not.toBe(inner);
    expect(toLlmRow(joined[0]!.span, joined[0]!.call)).toMatchObject(truth(fixture));
    expect(joiner.size).toBe(0);
  });

  it('writes a held call alone when its parent never comes, after the hold window', () => {
    const fixture = loadFixture('traceloop-anthropic@0.27/with-native-error-400-stream');
    const inner = fixture.spans.find((span) => span.instrumentationScope.name === 'com.anthropic.sdk.typescript')!;
    let now = 0;
    const joiner = new NestedCallJoiner(10_000, 100, () => now);
    expect(joiner.join([inner], detected([inner]))).toEqual([]);
    now = 9_999;
    expect(joiner.release()).toEqual([]);
    now = 10_000;
    const released = joiner.release();
    expect(released.map((entry) => entry.span)).toEqual([inner]);
    expect(released[0]!.call.error).toBeDefined();
  });

  it('keeps one row per inner request when a wrapper holds several (AI SDK 7 embeddings)', () => {
    const fixture = loadFixture('ai@7/genai-embed-openai');
    const joined = new NestedCallJoiner().join(fixture.spans, detected(fixture.spans));
    expect(joined).toHaveLength(1);
    expect(joined[0]!.call.usage?.promptTokens).toBe(7);
    const [outer] = fixture.spans.filter((span) => !span.parentSpanContext);
    const [inner] = fixture.spans.filter((span) => span.parentSpanContext);
    const second = { ...inner!, spanContext: () => ({ ...inner!.spanContext(), spanId: '00000000000000aa' }) } as ReadableSpan;
    const spans = [inner!, second, outer!];
    const rows = new NestedCallJoiner().join(spans, detected(spans));
    expect(rows.map((row) => row.span.spanContext().spanId).sort()).toEqual(['00000000000000aa', inner!.spanContext().spanId].sort());
    expect(rows.every((row) => row.call.usage?.promptTokens === 7)).toBe(true);
  });

  it('bounds what it holds: past the limit the oldest call is released as it is', () => {
    const fixture = loadFixture('anthropic-sdk@0.137/messages-cached');
    const inner = fixture.spans[0]!;
    const orphan = (i: number) =>
      ({ ...inner, parentSpanContext: { ...inner.spanContext(), spanId: `00000000000001${String(i).padStart(2, '0')}` } }) as ReadableSpan;
    const joiner = new NestedCallJoiner(10_000, 2);
    for (let i = 0; i < 3; i++) joiner.join([orphan(i)], detected([orphan(i)]));
    // Two held, one pushed out: released at once, as it is.
    expect(joiner.size).toBe(3);
    expect(joiner.release()).toHaveLength(1);
    expect(joiner.size).toBe(2);
  });
});
