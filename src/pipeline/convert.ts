/**
 * An export's spans as the rows of both tables: redact -> detect -> join -> rows. A span that
 * cannot be converted is reported and left out alone; it never fails the rest of the batch.
 */
import { diag } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { inSlices, WorkSlices } from '../delivery/work-slices.js';
import { detectLlmCall } from '../detect/detect.js';
import type { LlmCall } from '../model/llm-call.js';
import { toLlmRow, type LlmRowOptions, type LlmTraceRow } from '../rows/llm-row.js';
import { toOtelRow, type OtelRowOptions, type OtelTraceRow } from '../rows/otel-row.js';
import { InheritedIds } from './inherited-ids.js';
import { NestedCallJoiner, type DetectedCall } from './join.js';
import { RecentSpans } from './recent-spans.js';
import { redactTypedAttributes } from '../redaction/credentials.js';
import { withLogContent, type LogContentArea } from './log-content.js';
import { redactedView } from './redacted-span.js';
import { startFacts, type StartFacts } from './span-starts.js';

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
  /** Every span (redacted) with what the context processor saw at its start. */
  spans: Array<{ span: ReadableSpan; start: StartFacts }>;
  failed: number;
}

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export interface RowBatchOptions extends LlmRowOptions, OtelRowOptions {
  /** false: no otel_traces rows (the table is turned off). */
  otel: boolean;
  /** GenAI content from log records, joined to the LLM call of its span. */
  logContent?: LogContentArea;
}

/**
 * The exporter's conversion: each export in time slices, its LLM calls joined with the nested
 * calls of earlier and later exports (join.ts) and given the ids of their ancestor spans
 * (inherited-ids.ts); both may hold a call back for a while, bounded in count and time.
 */
export class SpanConverter {
  private readonly recent = new RecentSpans();
  private readonly joiner = new NestedCallJoiner(this.recent);
  private readonly ids = new InheritedIds(this.recent);

  constructor(private readonly options: RowBatchOptions) {}

  /** Calls held for a partner or an ancestor span that has not come yet. */
  get held(): number {
    return this.joiner.size + this.ids.size;
  }

  /**
   * Converts an export, starting after a yield (export() runs inside the app's span.end()). Its
   * insert overlaps the next export's conversion (the export answers once its rows are accepted),
   * so the rows of one export go out together, in one insert per table.
   */
  async convert(spans: ReadableSpan[]): Promise<RowBatch> {
    const converted: ConvertedSpans = { otel: [], calls: [], spans: [], failed: 0 };
    const slices = new WorkSlices();
    await slices.yield();
    await inSlices(spans, (span) => convertSpan(span, this.options, converted), slices);
    for (const { span, start } of converted.spans) this.recent.add(span, start);
    const llm: LlmRows = { rows: [], failed: 0 };
    await inSlices(this.ids.settle(this.joiner.join(converted.calls)), (entry) => addLlmRow(entry, this.options, llm));
    return { otel: converted.otel, llm: llm.rows, failed: converted.failed + llm.failed };
  }

  /** Rows of the held calls that have waited out the hold window (all of them with `all`). */
  releaseHeld(all: boolean): RowBatch {
    const llm = toLlmRows([...this.ids.fill(this.joiner.release(all)), ...this.ids.release(all)], this.options);
    return { otel: [], llm: llm.rows, failed: llm.failed };
  }
}

function convertSpans(spans: readonly ReadableSpan[], options: RowBatchOptions): ConvertedSpans {
  const converted: ConvertedSpans = { otel: [], calls: [], spans: [], failed: 0 };
  for (const span of spans) convertSpan(span, options, converted);
  return converted;
}

/** Adds one span's otel row and LLM call (if it is one) to `into`. */
function convertSpan(original: ReadableSpan, options: RowBatchOptions, into: ConvertedSpans): void {
  let call: LlmCall | undefined;
  let span = original;
  try {
    span = redactedView(original);
    // Looked up on the span the SDK handed over: the processor knows it by identity.
    const start = startFacts(original);
    into.spans.push({ span, start });
    const content = options.logContent?.take(original.spanContext().spanId);
    const callSpan = content ? withLogContent(span, redactTypedAttributes(content)) : span;
    call = detectLlmCall(callSpan);
    if (call) into.calls.push({ span: callSpan, call, start });
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

interface LlmRows {
  rows: LlmTraceRow[];
  failed: number;
}

function toLlmRows(calls: readonly DetectedCall[], options: LlmRowOptions): LlmRows {
  const out: LlmRows = { rows: [], failed: 0 };
  for (const entry of calls) addLlmRow(entry, options, out);
  return out;
}

/** Adds the llm_traces row of one call to `into`; a call that cannot become a row is reported and counted. */
function addLlmRow({ span, call }: DetectedCall, options: LlmRowOptions, into: LlmRows): void {
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
