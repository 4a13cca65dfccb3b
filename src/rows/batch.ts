/**
 * An export's spans as the rows of both tables. A span that cannot be converted is reported and
 * left out alone; it never fails the rest of the batch.
 */
import { diag } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { detectLlmCall } from '../detect/detect.js';
import { toLlmRow, type LlmRowOptions, type LlmTraceRow } from './llm-row.js';
import { toOtelRow, type OtelRowOptions, type OtelTraceRow } from './otel-row.js';

export interface RowBatch {
  otel: OtelTraceRow[];
  llm: LlmTraceRow[];
  /** Rows that could not be built (reported through diag). */
  failed: number;
}

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export interface RowBatchOptions extends LlmRowOptions, OtelRowOptions {
  /** false: no otel_traces rows (the table is turned off). */
  otel: boolean;
}

export function toRowBatch(spans: readonly ReadableSpan[], options: RowBatchOptions): RowBatch {
  const batch: RowBatch = { otel: [], llm: [], failed: 0 };
  for (const span of spans) {
    if (options.otel) {
      try {
        batch.otel.push(toOtelRow(span, options));
      } catch (error) {
        batch.failed++;
        log.error(`span '${safeName(span)}' could not be converted to an otel_traces row and was skipped`, error);
      }
    }
    try {
      const call = detectLlmCall(span);
      if (call) batch.llm.push(toLlmRow(span, call, options));
    } catch (error) {
      batch.failed++;
      log.error(`span '${safeName(span)}' could not be converted to an llm_traces row and was skipped`, error);
    }
  }
  return batch;
}

function safeName(span: ReadableSpan): string {
  try {
    return String(span.name);
  } catch {
    return '(unreadable)';
  }
}
