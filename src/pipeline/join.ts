/**
 * One provider request, one row, when two spans describe it: an instrumentation's span around a
 * provider SDK's own span (the Anthropic SDK traces itself since 0.134, under Traceloop's or
 * OpenInference's span), or a wrapper around the span of the real request (AI SDK 7 embeddings).
 *
 * An LLM call whose parent span is also an LLM call is joined with it:
 * - one such child: the two are the same request, merged into one call (the outer span's fields
 *   win; usage comes from whichever reported more of it) on the outer span, or on the inner one
 *   when the outer reported no usage (a wrapper);
 * - several children: the parent wraps several requests (chunked embeddings, retries); each child
 *   stays a call and takes the parent's ids, and the parent makes no row.
 *
 * The two spans end microseconds apart but in either order, so they often reach the exporter in
 * different exports. A call that may still get its partner waits for it, for at most `holdMs`:
 * - with the context processor (span-starts.ts) the join knows: an inner span waits for the outer
 *   one it started in, an outer span for the inner spans that started in it, and nothing else waits;
 * - without it, an inner span of a self-tracing SDK (or AI SDK 7) waits for its parent; and once
 *   both the SDK's own spans and an instrumentation's spans around it have been seen in this
 *   process, an instrumentation's span waits for an inner span and the SDK's root span for its
 *   twin. Each waits until its partner comes, its parent has come (and is no call), or spans that
 *   ended `slackMs` after it show that the partner, which ends within microseconds of it, is not
 *   coming. (Where only one of the two traces Anthropic calls, its rows are never delayed.)
 * The `messages.stream()` helper's twin root spans (no parent link) are paired by model and times.
 */
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { LlmCall, TokenUsage } from '../model/llm-call.js';
import { mergeCalls } from '../model/merge-calls.js';
import type { RecentSpans } from './recent-spans.js';
import { INNER_SPAN_SCOPES, SELF_TRACING_SCOPES, TWIN_TOLERANCE_MS, type StartFacts } from './span-starts.js';

export interface DetectedCall {
  span: ReadableSpan;
  call: LlmCall;
  /** What the context processor saw at the span's start (not seen when absent). */
  start?: StartFacts;
}

/** Instrumentations whose LLM span may have a self-tracing SDK's span of the same request inside. */
const WRAPPING_SCOPES = new Set(['@traceloop/instrumentation-anthropic', '@arizeai/openinference-instrumentation-anthropic']);

interface Pending {
  entry: DetectedCall;
  since: number;
}

export class NestedCallJoiner {
  /** Calls that may still join a partner, by span id, oldest first. */
  private readonly pending = new Map<string, Pending>();
  /** The pending root calls of instrumentations: the twins a self-tracing SDK's root span may have. */
  private readonly pendingRoots = new Set<DetectedCall>();
  /** Both a self-tracing SDK's spans and spans of an instrumentation around it have come. */
  private selfTracingSeen = false;
  private wrappingSeen = false;

  constructor(
    private readonly recent: RecentSpans,
    private readonly holdMs = 10_000,
    private readonly maxHeld = 10_000,
    private readonly now: () => number = Date.now,
    private readonly slackMs = 1_000,
  ) {}

  /** Calls waiting for a partner span. */
  get size(): number {
    return this.pending.size;
  }

  /** The calls of one export (its spans already in `recent`) and of earlier ones that are final now. */
  join(calls: readonly DetectedCall[]): DetectedCall[] {
    const since = this.now();
    for (const entry of calls) {
      this.pending.set(id(entry), { entry, since });
      if (!entry.span.parentSpanContext && !SELF_TRACING_SCOPES.has(entry.span.instrumentationScope.name)) this.pendingRoots.add(entry);
      this.selfTracingSeen ||= SELF_TRACING_SCOPES.has(entry.span.instrumentationScope.name);
      this.wrappingSeen ||= WRAPPING_SCOPES.has(entry.span.instrumentationScope.name);
    }
    const ready = this.settle((family, children) => !family.some((member) => this.waits(member, family, children)));
    // Bounded: the oldest waiting calls are written as they are rather than kept without limit.
    if (this.pending.size > this.maxHeld) {
      const oldest = new Set([...this.pending.keys()].slice(0, this.pending.size - this.maxHeld));
      ready.push(...this.settle((family) => family.some((member) => oldest.has(id(member)))));
    }
    return ready;
  }

  /** Waiting calls held longer than the hold window (all of them with `all`), as they are. */
  release(all = false): DetectedCall[] {
    const cutoff = this.now() - this.holdMs;
    return this.settle((family) => all || family.some((member) => this.pending.get(id(member))!.since <= cutoff));
  }

  /** Takes the families (a call with its nested calls) that `done` accepts out of the pending calls, joined. */
  private settle(done: (family: DetectedCall[], children: ReadonlyMap<string, DetectedCall[]>) => boolean): DetectedCall[] {
    const children = new Map<string, DetectedCall[]>();
    const nested = new Set<string>();
    for (const [spanId, { entry }] of this.pending) {
      const outer = this.outerOf(entry);
      if (outer === undefined) continue;
      nested.add(spanId);
      addTo(children, outer, entry);
    }
    const out: DetectedCall[] = [];
    for (const [spanId, { entry }] of [...this.pending]) {
      if (nested.has(spanId)) continue;
      const family = familyOf(entry, children);
      if (!done(family, children)) continue;
      for (const member of family) {
        this.pending.delete(id(member));
        this.pendingRoots.delete(member);
      }
      out.push(...joinFamily(entry, children));
    }
    return out;
  }

  /** The pending call this one is the inner span of: its parent, or (twin roots) its twin. */
  private outerOf(entry: DetectedCall): string | undefined {
    const outerId = entry.start?.outerId ?? entry.span.parentSpanContext?.spanId;
    if (outerId !== undefined) return this.pending.has(outerId) ? outerId : undefined;
    if (!SELF_TRACING_SCOPES.has(entry.span.instrumentationScope.name)) return undefined;
    for (const other of this.pendingRoots) if (isTwin(entry, other)) return id(other);
    return undefined;
  }

  /** Whether a member of a family may still get a partner that is not in it. */
  private waits(member: DetectedCall, family: readonly DetectedCall[], children: ReadonlyMap<string, DetectedCall[]>): boolean {
    const start = member.start;
    const parentId = member.span.parentSpanContext?.spanId;
    const hasInner = children.has(id(member));
    if (start?.seen) {
      const outerId = start.outerId;
      const outerComing = outerId !== undefined && !this.recent.has(outerId) && !family.some((other) => id(other) === outerId);
      return outerComing || start.innerIds.some((innerId) => !this.recent.has(innerId));
    }
    if (this.recent.latestEndMs > hrTimeToMilliseconds(member.span.endTime) + this.slackMs) return false;
    const scope = member.span.instrumentationScope.name;
    const isNested = family[0] !== member;
    const outerComing = parentId
      ? INNER_SPAN_SCOPES.has(scope) && !this.recent.has(parentId) && !member.span.parentSpanContext?.isRemote
      : SELF_TRACING_SCOPES.has(scope) && !isNested && this.selfTracingSeen && this.wrappingSeen;
    return outerComing || (!hasInner && this.mayWrapInnerSpan(member));
  }

  /**
   * A call whose request may be traced again inside it: an instrumentation around a self-tracing
   * SDK (once both have been seen), or AI SDK 7's `embeddings` wrapper (no usage of its own)
   * around the request's span.
   */
  private mayWrapInnerSpan({ span, call }: DetectedCall): boolean {
    const scope = span.instrumentationScope.name;
    if (WRAPPING_SCOPES.has(scope)) return this.selfTracingSeen && this.wrappingSeen;
    return scope === 'gen_ai' && call.callType === 'embeddings' && call.usage === undefined;
  }
}

function id(entry: DetectedCall): string {
  return entry.span.spanContext().spanId;
}

function addTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function familyOf(entry: DetectedCall, children: ReadonlyMap<string, DetectedCall[]>): DetectedCall[] {
  return [entry, ...(children.get(id(entry)) ?? []).flatMap((child) => familyOf(child, children))];
}

/** A call with its nested LLM calls (recursively) as the rows they make. */
function joinFamily(entry: DetectedCall, children: ReadonlyMap<string, DetectedCall[]>): DetectedCall[] {
  const kids = (children.get(id(entry)) ?? []).flatMap((child) => joinFamily(child, children));
  if (kids.length === 0) return [entry];
  if (kids.length === 1) return [joinPair(entry, kids[0]!)];
  const { id: _id, usage: _usage, requestJson: _request, responseJson: _response, ...context } = entry.call;
  return kids.map((kid) => ({ ...kid, call: mergeCalls([kid.call, context]) }));
}

function isTwin(native: DetectedCall, other: DetectedCall): boolean {
  if (other.span.parentSpanContext || other.span.instrumentationScope.name === native.span.instrumentationScope.name) return false;
  const model = (call: LlmCall) => call.requestModel ?? call.model;
  const close = (a: ReadableSpan['startTime'], b: ReadableSpan['startTime']) =>
    Math.abs(hrTimeToMilliseconds(a) - hrTimeToMilliseconds(b)) <= TWIN_TOLERANCE_MS;
  return (
    model(native.call) === model(other.call) &&
    close(native.span.startTime, other.span.startTime) &&
    close(native.span.endTime, other.span.endTime)
  );
}

/** One request described by two spans: the outer (instrumentation) fields win, the fuller usage is kept. */
function joinPair(outer: DetectedCall, inner: DetectedCall): DetectedCall {
  const merged = mergeCalls([outer.call, inner.call]);
  merged.usage = moreComplete(outer.call.usage, inner.call.usage);
  // A wrapper that reported no usage is not the request: the row is on the inner span's timing.
  const kept = outer.call.usage === undefined && inner.call.usage !== undefined ? inner : outer;
  // A time to first token the other span measured counts from the start of the row's span.
  const measuredBy = outer.call.timeToFirstTokenMs !== undefined ? outer : inner;
  if (merged.timeToFirstTokenMs !== undefined && measuredBy !== kept) {
    const startedLaterBy = hrTimeToMilliseconds(measuredBy.span.startTime) - hrTimeToMilliseconds(kept.span.startTime);
    merged.timeToFirstTokenMs = Math.max(0, merged.timeToFirstTokenMs + startedLaterBy);
  }
  return { ...kept, call: merged };
}

/** The usage that reports more of its fields; the outer one on a tie. */
function moreComplete(outer: TokenUsage | undefined, inner: TokenUsage | undefined): TokenUsage | undefined {
  const reported = (usage: TokenUsage | undefined) => (usage ? Object.values(usage).filter((value) => value !== undefined).length : -1);
  return reported(inner) > reported(outer) ? inner : outer;
}
