/**
 * A trace's waterfall from its skeleton spans and its LLM calls: spans in depth-first order
 * (parents before children, siblings by start), each with its depth and, for an LLM span, its
 * call; plus the trace's time range, services and totals. Pure.
 */
import { formatUsd, parseUsd } from '../pricing/money.js';
import type { LlmTraceSummary } from './llm-trace.js';
import type { SkeletonSpan } from './otel-trace-reader.js';

export interface WaterfallSpan extends SkeletonSpan {
  /** 0 for a root, and for a span whose parent is not in the trace (not exported, or past the limit). */
  depth: number;
  /** The LLM call this span is, if any. */
  call: LlmTraceSummary | null;
}

export interface TraceTotals {
  calls: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Null when no call is priced. */
  costUsd: string | null;
  unpricedCalls: number;
}

export interface TraceSkeleton {
  traceId: string;
  startNs: string;
  endNs: string;
  services: string[];
  spans: WaterfallSpan[];
  truncated: boolean;
  totals: TraceTotals;
}

export function buildTraceSkeleton(
  traceId: string,
  spans: readonly SkeletonSpan[],
  calls: readonly LlmTraceSummary[],
  truncated: boolean,
): TraceSkeleton {
  const callBySpan = new Map(calls.map((call) => [call.spanId, call]));
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, SkeletonSpan[]>();
  const roots: SkeletonSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId !== '' && ids.has(span.parentSpanId) && span.parentSpanId !== span.spanId) {
      const siblings = children.get(span.parentSpanId) ?? [];
      siblings.push(span);
      children.set(span.parentSpanId, siblings);
    } else {
      roots.push(span);
    }
  }
  const ordered: WaterfallSpan[] = [];
  // Iterative, so a deep trace cannot overflow the stack; `seen` guards against parent cycles.
  const seen = new Set<string>();
  const stack = byStart(roots)
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const { span, depth } = stack.pop()!;
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    ordered.push({ ...span, depth, call: callBySpan.get(span.spanId) ?? null });
    for (const child of byStart(children.get(span.spanId) ?? []).reverse()) stack.push({ span: child, depth: depth + 1 });
  }
  // Spans only reachable through a cycle are still shown, as roots.
  for (const span of byStart(spans.filter((span) => !seen.has(span.spanId)))) {
    ordered.push({ ...span, depth: 0, call: callBySpan.get(span.spanId) ?? null });
  }
  let start: bigint | undefined;
  let end: bigint | undefined;
  for (const span of spans) {
    const spanStart = BigInt(span.timestampNs);
    const spanEnd = spanStart + BigInt(span.durationNs);
    if (start === undefined || spanStart < start) start = spanStart;
    if (end === undefined || spanEnd > end) end = spanEnd;
  }
  return {
    traceId,
    startNs: String(start ?? 0n),
    endNs: String(end ?? 0n),
    services: [...new Set(spans.map((span) => span.serviceName))].sort(),
    spans: ordered,
    truncated,
    totals: callTotals(calls),
  };
}

function byStart(spans: readonly SkeletonSpan[]): SkeletonSpan[] {
  return [...spans].sort((a, b) => {
    const order = BigInt(a.timestampNs) - BigInt(b.timestampNs);
    return order < 0n ? -1 : order > 0n ? 1 : a.spanId.localeCompare(b.spanId);
  });
}

/** Sums of a list of calls; costs added exactly. */
export function callTotals(calls: readonly LlmTraceSummary[]): TraceTotals {
  let cost = 0n;
  let priced = 0;
  const totals = { calls: calls.length, errors: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  for (const call of calls) {
    if (call.isError) totals.errors += 1;
    totals.promptTokens += call.promptTokens;
    totals.completionTokens += call.completionTokens;
    totals.totalTokens += call.totalTokens;
    if (call.costUsd !== null) {
      cost += parseUsd(call.costUsd);
      priced += 1;
    }
  }
  return { ...totals, costUsd: priced === 0 ? null : formatUsd(cost), unpricedCalls: calls.length - priced };
}
