/**
 * An export's spans as the rows of both tables. A span that cannot be converted is reported and
 * left out alone; it never fails the rest of the batch.
 */
import { diag } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { detectLlmCall } from '../detect/detect.js';
import type { LlmCall } from '../detect/llm-call.js';
import type { DetectedCall } from '../detect/nested-calls.js';
import { redactTypedAttributes } from './redact.js';
import { toLlmRow, type LlmRowOptions, type LlmTraceRow } from './llm-row.js';
import { toOtelRow, type OtelRowOptions, type OtelTraceRow } from './otel-row.js';

export interface RowBatch {
  otel: OtelTraceRow[];
  llm: LlmTraceRow[];
  /** Rows that could not be built (reported through diag). */
  failed: number;
}

/** An export's otel rows, and its LLM calls before they become rows (they may still be joined). */
export interface ConvertedSpans {
  otel: OtelTraceRow[];
  calls: DetectedCall[];
  failed: number;
}

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export interface RowBatchOptions extends LlmRowOptions, OtelRowOptions {
  /** false: no otel_traces rows (the table is turned off). */
  otel: boolean;
}

export function convertSpans(spans: readonly ReadableSpan[], options: RowBatchOptions): ConvertedSpans {
  const converted: ConvertedSpans = { otel: [], calls: [], failed: 0 };
  for (const span of spans) convertSpan(span, options, converted);
  return converted;
}

/** Adds one span's otel row and LLM call (if it is one) to `into`. */
export function convertSpan(original: ReadableSpan, options: RowBatchOptions, into: ConvertedSpans): void {
  let call: LlmCall | undefined;
  // Secrets are redacted once, on the span both rows are built from.
  let span = original;
  try {
    span = redactedView(original);
    call = detectLlmCall(span);
    if (call) into.calls.push({ span, call });
  } catch (error) {
    into.failed++;
    log.error(`span '${safeName(original)}' could not be read as an LLM call and was skipped`, error);
  }
  if (options.otel) {
    try {
      into.otel.push(toOtelRow(span, options, call !== undefined));
    } catch (error) {
      into.failed++;
      log.error(`span '${safeName(original)}' could not be converted to an otel_traces row and was skipped`, error);
    }
  }
}

/** The span with its attributes and event attributes redacted; the span itself when nothing changed. */
function redactedView(span: ReadableSpan): ReadableSpan {
  const attributes = redactTypedAttributes(span.attributes);
  let events = span.events;
  for (let i = 0; i < span.events.length; i++) {
    const event = span.events[i]!;
    const redacted = event.attributes ? redactTypedAttributes(event.attributes) : undefined;
    if (redacted !== event.attributes) {
      if (events === span.events) events = [...span.events];
      events[i] = { ...event, attributes: redacted };
    }
  }
  if (attributes === span.attributes && events === span.events) return span;
  // The view keeps the span's methods (spanContext) through its prototype chain.
  return Object.create(span, { attributes: { value: attributes }, events: { value: events } }) as ReadableSpan;
}

export interface LlmRows {
  rows: LlmTraceRow[];
  failed: number;
}

export function toLlmRows(calls: readonly DetectedCall[], options: LlmRowOptions): LlmRows {
  const out: LlmRows = { rows: [], failed: 0 };
  for (const entry of calls) addLlmRow(entry, options, out);
  return out;
}

/** Adds the llm_traces row of one call to `into`; a call that cannot become a row is reported and counted. */
export function addLlmRow({ span, call }: DetectedCall, options: LlmRowOptions, into: LlmRows): void {
  try {
    into.rows.push(toLlmRow(span, call, options));
  } catch (error) {
    into.failed++;
    log.error(`span '${safeName(span)}' could not be converted to an llm_traces row and was skipped`, error);
  }
}

/** Both tables' rows of spans whose calls need no joining with other exports. */
export function toRowBatch(spans: readonly ReadableSpan[], options: RowBatchOptions): RowBatch {
  const converted = convertSpans(spans, options);
  const llm = toLlmRows(converted.calls, options);
  return { otel: converted.otel, llm: llm.rows, failed: converted.failed + llm.failed };
}

function safeName(span: ReadableSpan): string {
  try {
    return String(span.name);
  } catch {
    return '(unreadable)';
  }
}
