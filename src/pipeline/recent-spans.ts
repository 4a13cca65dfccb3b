/**
 * The spans of recent exports as the join and the id inheritance need them: which spans have
 * arrived (a call waiting for a partner stops waiting once the partner's span has come and gone),
 * each span's parent link and the ids it names. Bounded by count: the oldest are forgotten first.
 */
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { detectContext } from '../detect/detect.js';
import type { CallContext } from '../model/llm-call.js';
import type { StartFacts } from './span-starts.js';

export interface SpanLink {
  parentId?: string;
  /** The parent is in another process: it never arrives here. */
  remoteParent: boolean;
  /** The context processor saw the span start: its ids include its ancestors'. */
  seen: boolean;
  context: CallContext;
}

const NONE: CallContext = Object.freeze({});

export class RecentSpans {
  private readonly links = new Map<string, SpanLink>();
  /** The latest end time of any span that has arrived (ms since the epoch, the app's clock). */
  latestEndMs = 0;

  constructor(private readonly max = 50_000) {}

  add(span: ReadableSpan, start: StartFacts): void {
    const parent = span.parentSpanContext;
    const context = detectContext(span.attributes);
    this.links.set(span.spanContext().spanId, {
      parentId: parent?.spanId,
      remoteParent: parent?.isRemote === true,
      seen: start.seen,
      context: Object.values(context).some((value) => value !== undefined) ? context : NONE,
    });
    if (this.links.size > this.max) this.links.delete(this.links.keys().next().value!);
    this.latestEndMs = Math.max(this.latestEndMs, hrTimeToMilliseconds(span.endTime));
  }

  has(spanId: string): boolean {
    return this.links.has(spanId);
  }

  get(spanId: string): SpanLink | undefined {
    return this.links.get(spanId);
  }
}
