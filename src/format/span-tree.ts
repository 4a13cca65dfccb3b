/**
 * A trace's spans as an indented tree with durations, for terminals and logs. Spans whose parent
 * is not in the list (a partial trace, or a limit) are shown as roots.
 */
export interface TreeSpan {
  spanId: string;
  parentSpanId: string;
  spanName: string;
  durationMs: number;
  timestampNs: string;
  statusCode: string;
  serviceName: string;
}

/** `annotations` adds text after a span's line, e.g. model, tokens and latency of an LLM call. */
export function formatSpanTree(spans: readonly TreeSpan[], annotations: ReadonlyMap<string, string> = new Map()): string[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, TreeSpan[]>();
  const roots: TreeSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      const siblings = children.get(span.parentSpanId) ?? [];
      siblings.push(span);
      children.set(span.parentSpanId, siblings);
    } else roots.push(span);
  }
  const byStart = (a: TreeSpan, b: TreeSpan) =>
    BigInt(a.timestampNs) < BigInt(b.timestampNs) ? -1 : BigInt(a.timestampNs) > BigInt(b.timestampNs) ? 1 : 0;
  const lines: string[] = [];
  const visit = (span: TreeSpan, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    const status = span.statusCode === 'Error' ? '  ERROR' : '';
    const note = annotations.get(span.spanId);
    lines.push(`${prefix}${branch}${span.spanName}  ${formatDuration(span.durationMs)}${status}${note ? `  ${note}` : ''}`);
    const kids = (children.get(span.spanId) ?? []).sort(byStart);
    const childPrefix = depth === 0 ? prefix : prefix + (last ? '   ' : '│  ');
    kids.forEach((child, i) => visit(child, childPrefix, i === kids.length - 1, depth + 1));
  };
  roots.sort(byStart).forEach((root) => visit(root, '', true, 0));
  return lines;
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)}µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}
