/**
 * What `LlmContextSpanProcessor` learned when spans started, for the exporter in the same process.
 * At a span's start its parent is known and still open, which the exporter, seeing spans only as
 * they end, cannot know: whether a provider SDK's own span started inside an instrumentation's
 * span of the same request (so the outer span, often ended and handed over first, must wait for
 * it), and that the span's ids are complete (the processor copied its ancestors' onto it).
 *
 * Kept in weak collections keyed by the span objects the SDK later hands to the exporter, so
 * nothing is added to the spans and nothing outlives them. Spans the processor did not see (no
 * processor, or another copy of this package) get the exporter's bounded fallbacks instead.
 */
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { detectLlmCall } from '../detect/detect.js';

/** Provider SDKs that trace their own requests, under (or beside) an instrumentation's span. */
export const SELF_TRACING_SCOPES: ReadonlySet<string> = new Set(['com.anthropic.sdk.typescript']);
/** Instrumentation scopes whose LLM spans sit under another span of the same request. */
export const INNER_SPAN_SCOPES: ReadonlySet<string> = new Set([...SELF_TRACING_SCOPES, 'gen_ai']);

/**
 * The Anthropic SDK's `messages.stream()` helper loses the active context, so its own span and the
 * instrumentation's span of the same request are both roots, in different traces. They are paired
 * by what they share: the model, and start and end within a few milliseconds of each other.
 */
export const TWIN_TOLERANCE_MS = 5;

export interface StartFacts {
  /** The context processor saw the span start: its ids include its ancestors'. */
  seen: boolean;
  /** The span id of the LLM call this span is the inner span of: its parent, or its twin's (seen only). */
  outerId?: string;
  /** Ids of the inner spans of the same request that started inside this one (seen only). */
  innerIds: readonly string[];
}

const seen = new WeakSet<object>();
const outerOf = new WeakMap<object, string>();
const innersOf = new WeakMap<object, string[]>();
/**
 * Open root spans not yet paired: a self-tracing SDK's root twin may start beside one. Read when
 * the twin starts (a library may set its span's attributes only after the span started).
 */
const openRoots = new Set<ReadableSpan>();
const MAX_OPEN_ROOTS = 1_000;

/** Called by the context processor at each span start, with the parent span when it is local. */
export function recordStart(span: ReadableSpan, parent: ReadableSpan | undefined): void {
  seen.add(span);
  if (parent) {
    if (INNER_SPAN_SCOPES.has(span.instrumentationScope.name) && detectLlmCall(parent) !== undefined) link(parent, span);
    return;
  }
  if (pairTwin(span)) return;
  // Bounded: a root that never ends is forgotten first.
  if (openRoots.size >= MAX_OPEN_ROOTS) openRoots.delete(openRoots.values().next().value!);
  openRoots.add(span);
}

/**
 * Called by the context processor at each span end, before the span is handed to the exporter
 * (list the processor first). A root not paired at its start is tried again: either twin may
 * start first, and a library may name the model only after its span started.
 */
export function recordEnd(span: ReadableSpan): void {
  if (openRoots.delete(span)) pairTwin(span);
}

/** Links the root span with its open twin, if there is one. */
function pairTwin(span: ReadableSpan): boolean {
  const twin = openTwin(span);
  if (!twin) return false;
  openRoots.delete(twin);
  if (SELF_TRACING_SCOPES.has(span.instrumentationScope.name)) link(twin, span);
  else link(span, twin);
  return true;
}

function link(outer: ReadableSpan, inner: ReadableSpan): void {
  outerOf.set(inner, outer.spanContext().spanId);
  const innerId = inner.spanContext().spanId;
  const inners = innersOf.get(outer);
  if (inners) inners.push(innerId);
  else innersOf.set(outer, [innerId]);
}

export function startFacts(span: ReadableSpan): StartFacts {
  return { seen: seen.has(span), outerId: outerOf.get(span), innerIds: innersOf.get(span) ?? [] };
}

/**
 * The open root LLM span that started with this one on the other side of a self-tracing SDK's
 * twin pair (one of them from the SDK, the other not), for the same model within the tolerance.
 * Cheap for most roots: only those that started within the tolerance are read.
 */
function openTwin(span: ReadableSpan): ReadableSpan | undefined {
  const model = requestModel(span);
  if (model === undefined) return undefined;
  const selfTracing = SELF_TRACING_SCOPES.has(span.instrumentationScope.name);
  const start = hrTimeToMilliseconds(span.startTime);
  for (const root of openRoots) {
    if (SELF_TRACING_SCOPES.has(root.instrumentationScope.name) === selfTracing) continue;
    if (Math.abs(hrTimeToMilliseconds(root.startTime) - start) > TWIN_TOLERANCE_MS) continue;
    if (requestModel(root) === model) return root;
  }
  return undefined;
}

function requestModel(span: ReadableSpan): string | undefined {
  const call = detectLlmCall(span);
  return call?.requestModel ?? call?.model;
}
