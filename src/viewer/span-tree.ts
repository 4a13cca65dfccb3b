/**
 * The trace waterfall's rows: span skeletons ordered depth-first by start time under their
 * parents, with offsets from the trace start on one axis, and the rows left visible when some
 * subtrees are collapsed. Span times are nanosecond strings past 2^53, so they are subtracted as
 * BigInt before becoming numbers. Pure.
 */
import type { SpanSkeleton } from '../server/viewer-api/types.js';

export interface SpanRow {
  span: SpanSkeleton;
  depth: number;
  /** Nanoseconds from the earliest span's start. */
  offsetNs: number;
  durationNs: number;
  childCount: number;
  /** Names from the root down, joined by ' / ': what the compare view aligns on. */
  path: string;
}

export interface SpanLayout {
  rows: SpanRow[];
  /** Nanoseconds from the first start to the last end. */
  totalNs: number;
}

export function layoutSpans(spans: readonly SpanSkeleton[]): SpanLayout {
  if (spans.length === 0) return { rows: [], totalNs: 0 };
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string, SpanSkeleton[]>();
  const roots: SpanSkeleton[] = [];
  for (const span of spans) {
    // A parent outside the stored spans (sampled away, another trace's) makes the span a root.
    if (span.parent_span_id && ids.has(span.parent_span_id) && span.parent_span_id !== span.span_id) {
      const list = children.get(span.parent_span_id) ?? [];
      list.push(span);
      children.set(span.parent_span_id, list);
    } else {
      roots.push(span);
    }
  }
  let first = BigInt(spans[0]!.start_ns);
  for (const span of spans) {
    const start = BigInt(span.start_ns);
    if (start < first) first = start;
  }
  const byStart = (x: SpanSkeleton, y: SpanSkeleton) => {
    const d = BigInt(x.start_ns) - BigInt(y.start_ns);
    return d < 0n ? -1 : d > 0n ? 1 : x.name.localeCompare(y.name);
  };
  const rows: SpanRow[] = [];
  let totalNs = 0;
  const seen = new Set<string>();
  // Iterative depth-first walk: a deep chain of spans must not overflow the stack.
  const stack: Array<{ span: SpanSkeleton; depth: number; path: string }> = roots
    .sort(byStart)
    .reverse()
    .map((span) => ({ span, depth: 0, path: span.name }));
  // Spans on a parent cycle are reachable from no root: each one left over starts a tree of its own.
  let leftover = 0;
  for (;;) {
    if (stack.length === 0) {
      while (leftover < spans.length && seen.has(spans[leftover]!.span_id)) leftover += 1;
      if (leftover === spans.length) break;
      stack.push({ span: spans[leftover]!, depth: 0, path: spans[leftover]!.name });
    }
    const { span, depth, path } = stack.pop()!;
    if (seen.has(span.span_id)) continue;
    seen.add(span.span_id);
    const kids = (children.get(span.span_id) ?? []).sort(byStart);
    const offsetNs = Number(BigInt(span.start_ns) - first);
    const durationNs = Number(span.duration_ns);
    totalNs = Math.max(totalNs, offsetNs + durationNs);
    rows.push({ span, depth, offsetNs, durationNs, childCount: kids.length, path });
    for (let i = kids.length - 1; i >= 0; i -= 1) stack.push({ span: kids[i]!, depth: depth + 1, path: `${path} / ${kids[i]!.name}` });
  }
  return { rows, totalNs };
}

/** The rows not hidden under a collapsed ancestor. */
export function visibleRows(rows: readonly SpanRow[], collapsed: ReadonlySet<string>): SpanRow[] {
  if (collapsed.size === 0) return rows as SpanRow[];
  const out: SpanRow[] = [];
  let hideBelow = -1;
  for (const row of rows) {
    if (hideBelow !== -1 && row.depth > hideBelow) continue;
    hideBelow = -1;
    out.push(row);
    if (collapsed.has(row.span.span_id) && row.childCount > 0) hideBelow = row.depth;
  }
  return out;
}

/** Evenly spaced axis ticks at a round step (1, 2 or 5 times a power of ten) in nanoseconds. */
export function axisTicks(totalNs: number, target = 6): number[] {
  if (!(totalNs > 0)) return [0];
  const raw = totalNs / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= totalNs + step / 1000; t += step) ticks.push(t);
  return ticks;
}
