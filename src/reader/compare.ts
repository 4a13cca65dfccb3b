/**
 * Side-by-side comparison of two traces (spans aligned by their name path) and two runs (calls
 * aligned by their position), with the differences b - a. Pure.
 */
import { formatSignedUsd, parseUsd } from '../pricing/money.js';
import type { WaterfallSpan } from './trace-skeleton.js';

export interface AlignedSpan {
  /** Span names from the root, joined by ' > '; a repeated sibling name gets `#2`, `#3`... */
  path: string;
  a: WaterfallSpan | null;
  b: WaterfallSpan | null;
}

/** Name paths of spans in depth-first order (as `buildTraceSkeleton` orders them). */
export function namePaths(spans: readonly WaterfallSpan[]): string[] {
  const pathOf = new Map<string, string>();
  const seenUnder = new Map<string, number>();
  return spans.map((span) => {
    const parentPath = span.depth === 0 ? '' : (pathOf.get(span.parentSpanId) ?? '');
    const base = parentPath === '' ? span.spanName : `${parentPath} > ${span.spanName}`;
    const count = (seenUnder.get(base) ?? 0) + 1;
    seenUnder.set(base, count);
    const path = count === 1 ? base : `${base}#${count}`;
    pathOf.set(span.spanId, path);
    return path;
  });
}

/** a's spans in order, each with b's span of the same path; b's spans without a match follow the b span before them. */
export function alignSpans(a: readonly WaterfallSpan[], b: readonly WaterfallSpan[]): AlignedSpan[] {
  const aligned: AlignedSpan[] = namePaths(a).map((path, i) => ({ path, a: a[i]!, b: null }));
  const index = new Map(aligned.map((entry, i) => [entry.path, i]));
  // b-only spans, by the index of the matched a span they follow (-1: before the first).
  const inserted = new Map<number, AlignedSpan[]>();
  let cursor = -1;
  namePaths(b).forEach((path, i) => {
    const at = index.get(path);
    if (at !== undefined && aligned[at]!.b === null) {
      aligned[at]!.b = b[i]!;
      cursor = at;
    } else {
      const after = inserted.get(cursor) ?? [];
      after.push({ path, a: null, b: b[i]! });
      inserted.set(cursor, after);
    }
  });
  return [...(inserted.get(-1) ?? []), ...aligned.flatMap((entry, i) => [entry, ...(inserted.get(i) ?? [])])];
}

/** b - a of two costs; null when either is unknown. */
export function costDelta(a: string | null, b: string | null): string | null {
  return a === null || b === null ? null : formatSignedUsd(parseUsd(b) - parseUsd(a));
}

/** b - a; null when either is unknown. */
export function numberDelta(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : b - a;
}

/** Pairs items by position: [a[0], b[0]], [a[1], b[1]], ... to the longer list's end. */
export function alignByPosition<T>(a: readonly T[], b: readonly T[]): Array<{ index: number; a: T | null; b: T | null }> {
  return Array.from({ length: Math.max(a.length, b.length) }, (_, index) => ({ index, a: a[index] ?? null, b: b[index] ?? null }));
}
