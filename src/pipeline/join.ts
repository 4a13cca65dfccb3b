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
 * Spans of a pair usually end in the same export; when they do not, the inner span of a known
 * self-tracing SDK is held until its parent arrives, for at most `holdMs`. Twins that lost their
 * parent link (see joinRootTwins) are paired within one export.
 */
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { LlmCall, TokenUsage } from '../model/llm-call.js';
import { mergeCalls } from '../model/merge-calls.js';

export interface DetectedCall {
  span: ReadableSpan;
  call: LlmCall;
}

/** Provider SDKs that trace their own requests, under (or beside) an instrumentation's span. */
const SELF_TRACING_SCOPES = new Set(['com.anthropic.sdk.typescript']);
/** Instrumentation scopes whose LLM spans sit under another span of the same request. */
const INNER_SPAN_SCOPES = new Set([...SELF_TRACING_SCOPES, 'gen_ai']);

interface Held {
  entry: DetectedCall;
  since: number;
}

export class NestedCallJoiner {
  /** Held calls by the parent span id they wait for. */
  private readonly held = new Map<string, Held[]>();
  private heldCount = 0;
  /** Calls pushed out of a full hold map, final as they are. */
  private readonly overflow: DetectedCall[] = [];

  constructor(
    private readonly holdMs = 10_000,
    private readonly maxHeld = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls not yet released: held for a parent, or pushed out of a full hold map. */
  get size(): number {
    return this.heldCount + this.overflow.length;
  }

  /** The calls of one export that are final now; held calls whose parent came in it join them. */
  join(spans: readonly ReadableSpan[], calls: readonly DetectedCall[]): DetectedCall[] {
    const exported = new Set(spans.map((span) => span.spanContext().spanId));
    const callsById = new Map(calls.map((entry) => [entry.span.spanContext().spanId, entry]));
    const children = new Map<string, DetectedCall[]>();
    const ready: DetectedCall[] = [];
    for (const entry of calls) {
      const parentId = entry.span.parentSpanContext?.spanId;
      if (parentId && callsById.has(parentId)) addTo(children, parentId, entry);
      else if (parentId && !exported.has(parentId) && INNER_SPAN_SCOPES.has(entry.span.instrumentationScope.name))
        this.hold(parentId, entry);
      else ready.push(entry);
    }
    // Held calls whose parent span is in this export: join an LLM parent, or are final as they are.
    for (const spanId of exported) {
      const waiting = this.take(spanId);
      if (callsById.has(spanId)) for (const entry of waiting) addTo(children, spanId, entry);
      else ready.push(...waiting);
    }
    const joined: DetectedCall[] = [];
    for (const entry of ready) {
      const spanId = entry.span.spanContext().spanId;
      joined.push(...joinFamily(entry, children, spanId));
    }
    return joinRootTwins(joined);
  }

  /** Held calls older than the hold window (all of them with `all`), released as they are. */
  release(all = false): DetectedCall[] {
    const released: DetectedCall[] = this.overflow.splice(0);
    const cutoff = this.now() - this.holdMs;
    for (const [parentId, waiting] of this.held) {
      const keep = waiting.filter((held) => !all && held.since > cutoff);
      for (const held of waiting) if (all || held.since <= cutoff) released.push(held.entry);
      if (keep.length === 0) this.held.delete(parentId);
      else this.held.set(parentId, keep);
    }
    this.heldCount = [...this.held.values()].reduce((n, waiting) => n + waiting.length, 0);
    return released;
  }

  private hold(parentId: string, entry: DetectedCall): void {
    addTo(this.held, parentId, { entry, since: this.now() });
    this.heldCount++;
    if (this.heldCount > this.maxHeld) {
      // Bounded: the oldest waiting call is written unjoined rather than kept without limit.
      const [oldestParent, waiting] = this.held.entries().next().value as [string, Held[]];
      this.held.delete(oldestParent);
      this.heldCount -= waiting.length;
      this.overflow.push(...waiting.map((held) => held.entry));
    }
  }

  private take(parentId: string): DetectedCall[] {
    const waiting = this.held.get(parentId);
    if (!waiting) return [];
    this.held.delete(parentId);
    this.heldCount -= waiting.length;
    return waiting.map((held) => held.entry);
  }
}

function addTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A call with its nested LLM calls (recursively) as the rows they make. */
function joinFamily(entry: DetectedCall, children: Map<string, DetectedCall[]>, spanId: string): DetectedCall[] {
  const kids = (children.get(spanId) ?? []).flatMap((child) => joinFamily(child, children, child.span.spanContext().spanId));
  if (kids.length === 0) return [entry];
  if (kids.length === 1) return [joinPair(entry, kids[0]!)];
  const { id: _id, usage: _usage, requestJson: _request, responseJson: _response, ...context } = entry.call;
  return kids.map((kid) => ({ span: kid.span, call: mergeCalls([kid.call, context]) }));
}

/**
 * The Anthropic SDK's `messages.stream()` helper loses the active context, so its own span and the
 * instrumentation's span of the same request are both roots, in different traces. They are paired
 * by what they share: the model, and start and end within a few milliseconds of each other.
 */
const TWIN_TOLERANCE_MS = 5;

function joinRootTwins(calls: DetectedCall[]): DetectedCall[] {
  const taken = new Set<DetectedCall>();
  const out: DetectedCall[] = [];
  for (const native of calls) {
    if (native.span.parentSpanContext || !SELF_TRACING_SCOPES.has(native.span.instrumentationScope.name)) continue;
    const twin = calls.find((other) => other !== native && !taken.has(other) && isTwin(native, other));
    if (!twin) continue;
    taken.add(native).add(twin);
    out.push(joinPair(twin, native));
  }
  return taken.size === 0 ? calls : [...calls.filter((entry) => !taken.has(entry)), ...out];
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
  const span = outer.call.usage === undefined && inner.call.usage !== undefined ? inner.span : outer.span;
  return { span, call: merged };
}

/** The usage that reports more of its fields; the outer one on a tie. */
function moreComplete(outer: TokenUsage | undefined, inner: TokenUsage | undefined): TokenUsage | undefined {
  const reported = (usage: TokenUsage | undefined) => (usage ? Object.values(usage).filter((value) => value !== undefined).length : -1);
  return reported(inner) > reported(outer) ? inner : outer;
}
