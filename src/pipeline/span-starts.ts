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
/**
 * Seen at their start, twins are both open at once, which narrows the candidates: the closest in
 * start time within this wider window (a loaded event loop delays the SDK's span start).
 */
const OPEN_TWIN_TOLERANCE_MS = 50;

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
 * Open root spans not yet paired, the self-tracing SDK's apart from the others': a root twin may
 * start beside one of the other side. Read only when a candidate twin exists (a library may set its
 * span's attributes only after the span started), so roots cost nothing while one side is absent.
 */
const openRoots = { selfTracing: new Set<ReadableSpan>(), others: new Set<ReadableSpan>() };
const MAX_OPEN_ROOTS = 1_000;
/** Whether a parent span was an LLM call when its first child started (read once per parent). */
const parentIsCall = new WeakMap<object, boolean>();

/** Called by the context processor at each span start, with the parent span when it is local. */
export function recordStart(span: ReadableSpan, parent: ReadableSpan | undefined): void {
  seen.add(span);
  if (parent) {
    if (INNER_SPAN_SCOPES.has(span.instrumentationScope.name) && isCall(parent)) link(parent, span);
    return;
  }
  if (pairTwin(span)) return;
  const roots = sideOf(span);
  // Bounded: a root that never ends is forgotten first.
  if (roots.size >= MAX_OPEN_ROOTS) roots.delete(roots.values().next().value!);
  roots.add(span);
}

/**
 * Called by the context processor at each span end, before the span is handed to the exporter
 * (list the processor first). A root not paired at its start is tried again: either twin may
 * start first, and a library may name the model only after its span started.
 */
export function recordEnd(span: ReadableSpan): void {
  if (sideOf(span).delete(span)) pairTwin(span);
}

function sideOf(span: ReadableSpan): Set<ReadableSpan> {
  return SELF_TRACING_SCOPES.has(span.instrumentationScope.name) ? openRoots.selfTracing : openRoots.others;
}

function isCall(parent: ReadableSpan): boolean {
  let known = parentIsCall.get(parent);
  if (known === undefined) parentIsCall.set(parent, (known = detectLlmCall(parent) !== undefined));
  return known;
}

/** Links the root span with its open twin, if there is one. */
function pairTwin(span: ReadableSpan): boolean {
  const twin = openTwin(span);
  if (!twin) return false;
  sideOf(twin).delete(twin);
  if (SELF_TRACING_SCOPES.has(span.instrumentationScope.name)) link(twin, span);
  else link(span, twin);
  return true;
}

function link(outer: ReadableSpan, inner: ReadableSpan): void {
  // A root with a span of its request inside is no twin of another one.
  openRoots.others.delete(outer);
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
 */
function openTwin(span: ReadableSpan): ReadableSpan | undefined {
  const candidates = SELF_TRACING_SCOPES.has(span.instrumentationScope.name) ? openRoots.others : openRoots.selfTracing;
  if (candidates.size === 0) return undefined;
  const start = hrTimeToMilliseconds(span.startTime);
  let model: string | undefined;
  let twin: ReadableSpan | undefined;
  let gap = OPEN_TWIN_TOLERANCE_MS;
  for (const root of candidates) {
    const apart = Math.abs(hrTimeToMilliseconds(root.startTime) - start);
    if (apart > gap) continue;
    model ??= requestModel(span) ?? '';
    if (model === '' || requestModel(root) !== model) continue;
    twin = root;
    gap = apart;
  }
  return twin;
}

function requestModel(span: ReadableSpan): string | undefined {
  const call = detectLlmCall(span);
  return call?.requestModel ?? call?.model;
}
