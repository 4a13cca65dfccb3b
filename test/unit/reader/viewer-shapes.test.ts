import { describe, expect, it } from 'vitest';
import { alignByPosition, alignSpans, costDelta, namePaths } from '../../../src/reader/compare.js';
import { plainSnippet, resolveWindow } from '../../../src/reader/call-filter.js';
import type { LlmTraceSummary } from '../../../src/reader/llm-trace.js';
import type { SkeletonSpan } from '../../../src/reader/otel-trace-reader.js';
import { contextGrowthPoint } from '../../../src/reader/run-summary.js';
import { buildTraceSkeleton, callTotals } from '../../../src/reader/trace-skeleton.js';

function span(spanId: string, parentSpanId: string, name: string, startNs: number, durationNs = 10): SkeletonSpan {
  return {
    timestampNs: String(startNs),
    spanId,
    parentSpanId,
    spanName: name,
    spanKind: 'Internal',
    serviceName: 'svc',
    durationNs: String(durationNs),
    statusCode: 'Unset',
    statusMessage: '',
    eventCount: 0,
  };
}

function call(overrides: Partial<LlmTraceSummary>): LlmTraceSummary {
  return {
    id: 'c',
    spanId: 's',
    hasUsage: true,
    isError: false,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cachedInputTokens: null,
    cacheWriteTokens: null,
    costUsd: null,
    ...overrides,
  } as LlmTraceSummary;
}

describe('buildTraceSkeleton', () => {
  it('orders depth first with siblings by start, and keeps orphans and cycles as roots', () => {
    const spans = [
      span('c2', 'root', 'second', 30),
      span('root', '', 'root', 0, 100),
      span('c1', 'root', 'first', 20),
      span('g1', 'c1', 'grandchild', 25),
      span('orphan', 'not-exported', 'orphan', 5),
      span('x', 'y', 'cycle-x', 50),
      span('y', 'x', 'cycle-y', 60),
    ];
    const skeleton = buildTraceSkeleton('t', spans, [call({ id: 'call-1', spanId: 'g1', costUsd: '0.5', promptTokens: 3 })], false);
    expect(skeleton.spans.map((s) => [s.spanId, s.depth])).toEqual([
      ['root', 0],
      ['c1', 1],
      ['g1', 2],
      ['c2', 1],
      ['orphan', 0],
      ['x', 0],
      ['y', 0],
    ]);
    expect(skeleton.spans.find((s) => s.spanId === 'g1')!.call?.id).toBe('call-1');
    expect(skeleton).toMatchObject({ startNs: '0', endNs: '100', services: ['svc'], truncated: false });
  });

  it('sums calls exactly and counts the unpriced ones apart', () => {
    const totals = callTotals([
      call({ costUsd: '0.1', promptTokens: 10, totalTokens: 12 }),
      call({ costUsd: '0.2', isError: true }),
      call({ costUsd: null }),
    ]);
    expect(totals).toEqual({
      calls: 3,
      errors: 1,
      promptTokens: 10,
      completionTokens: 0,
      totalTokens: 12,
      costUsd: '0.3',
      unpricedCalls: 1,
    });
    expect(callTotals([]).costUsd).toBeNull();
  });
});

describe('compare', () => {
  const skeleton = (spans: SkeletonSpan[]) => buildTraceSkeleton('t', spans, [], false).spans;

  it('names spans by their path, numbering repeated siblings', () => {
    const spans = skeleton([span('r', '', 'agent', 0), span('a', 'r', 'llm', 1), span('b', 'r', 'tool', 2), span('c', 'r', 'llm', 3)]);
    expect(namePaths(spans)).toEqual(['agent', 'agent > llm', 'agent > tool', 'agent > llm#2']);
  });

  it('aligns matching paths and puts each unmatched span after the one before it', () => {
    const a = skeleton([span('r', '', 'agent', 0), span('a1', 'r', 'llm', 1), span('a2', 'r', 'tool', 2)]);
    const b = skeleton([span('r', '', 'agent', 0), span('b1', 'r', 'llm', 1), span('b2', 'r', 'search', 2), span('b3', 'r', 'llm', 3)]);
    const aligned = alignSpans(a, b);
    expect(aligned.map((entry) => [entry.path, entry.a?.spanId ?? null, entry.b?.spanId ?? null])).toEqual([
      ['agent', 'r', 'r'],
      ['agent > llm', 'a1', 'b1'],
      ['agent > search', null, 'b2'],
      ['agent > llm#2', null, 'b3'],
      ['agent > tool', 'a2', null],
    ]);
  });

  it('subtracts costs exactly, and pairs runs by position', () => {
    expect(costDelta('0.3', '0.1')).toBe('-0.2');
    expect(costDelta('0.000000001', '1')).toBe('0.999999999');
    expect(costDelta(null, '1')).toBeNull();
    expect(alignByPosition([1, 2], [3])).toEqual([
      { index: 0, a: 1, b: 3 },
      { index: 1, a: 2, b: null },
    ]);
  });
});

describe('call views', () => {
  it('splits the input of a call into cached and new, null without usage', () => {
    const withUsage = call({
      id: 'x',
      stepId: 's',
      promptTokens: 1500,
      cachedInputTokens: 1000,
      cacheWriteTokens: 300,
      completionTokens: 9,
    });
    expect(contextGrowthPoint(withUsage)).toMatchObject({ promptTokens: 1500, newInputTokens: 200, cachedInputTokens: 1000 });
    expect(contextGrowthPoint(call({ hasUsage: false }))).toMatchObject({ promptTokens: null, newInputTokens: null });
  });

  it('defaults the window to the 24 hours before end (or now)', () => {
    const now = new Date('2026-05-02T00:00:00Z');
    expect(resolveWindow({}, now)).toEqual({ start: new Date('2026-05-01T00:00:00Z'), end: now });
    const end = new Date('2026-01-10T12:00:00Z');
    expect(resolveWindow({ end }, now).start).toEqual(new Date('2026-01-09T12:00:00Z'));
    const start = new Date('2026-04-01T00:00:00Z');
    expect(resolveWindow({ start }, now)).toEqual({ start, end: now });
  });

  it('turns payload JSON around a hit into plain text', () => {
    expect(plainSnippet('"content":"What\\u0027s the\\n\\"weather\\" in Paris?"}')).toBe('"content":"What\'s the "weather" in Paris?"}');
  });
});
