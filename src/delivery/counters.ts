/**
 * What happened to the rows handed to the exporter: stored, retried, dropped (by reason) or
 * failed. Readable as a snapshot from the exporter and, when a MeterProvider is registered, as
 * OTel metrics (observable instruments read the same numbers; nothing is counted twice).
 */
import { metrics, type Meter, type MeterProvider } from '@opentelemetry/api';

export type DropReason = 'buffer_full' | 'expired' | 'shutdown' | 'permanent_failure' | 'invalid_row' | 'conversion';

export interface ExporterStats {
  /** Rows stored, per table kind. */
  exportedSpans: number;
  exportedLlmCalls: number;
  /** Insert attempts that failed and were tried again. */
  retries: number;
  /** Rows given up on, by reason. */
  dropped: Record<DropReason, number>;
  /**
   * Exports some of whose rows were given up on (counted in `dropped`). The span processor is told
   * SUCCESS anyway, once the rows are accepted: see exporter.ts.
   */
  failedExports: number;
  /** Values left out of stored rows because their column could not hold them truthfully (a token count of 1e21). */
  droppedValues: number;
  /** Rows and bytes in the delivery buffer now: accepted, not yet stored (waiting, retried or in flight). */
  bufferedRows: number;
  bufferedBytes: number;
  /** LLM calls held back now for a partner span or an ancestor's ids (pipeline/join.ts, inherited-ids.ts). */
  heldLlmCalls: number;
}

export type TableKind = 'spans' | 'llm_calls';

export class Counters {
  readonly stats: ExporterStats = {
    exportedSpans: 0,
    exportedLlmCalls: 0,
    retries: 0,
    dropped: { buffer_full: 0, expired: 0, shutdown: 0, permanent_failure: 0, invalid_row: 0, conversion: 0 },
    failedExports: 0,
    droppedValues: 0,
    bufferedRows: 0,
    bufferedBytes: 0,
    heldLlmCalls: 0,
  };
  private instrumented = false;

  exported(kind: TableKind, rows: number): void {
    if (kind === 'spans') this.stats.exportedSpans += rows;
    else this.stats.exportedLlmCalls += rows;
  }

  failedExport(): void {
    this.stats.failedExports++;
  }

  dropped(reason: DropReason, rows: number): void {
    this.stats.dropped[reason] += rows;
  }

  held(calls: number): void {
    this.stats.heldLlmCalls = calls;
  }

  snapshot(): ExporterStats {
    return { ...this.stats, dropped: { ...this.stats.dropped } };
  }

  /** Registers the observable instruments once, on the given or the global MeterProvider. */
  instrument(provider: MeterProvider = metrics.getMeterProvider()): void {
    if (this.instrumented) return;
    this.instrumented = true;
    const meter: Meter = provider.getMeter('llm-traces');
    const s = this.stats;
    meter
      .createObservableCounter('llm_traces.exporter.rows.exported', { description: 'Rows stored in ClickHouse', unit: '{row}' })
      .addCallback((result) => {
        result.observe(s.exportedSpans, { table: 'otel_traces' });
        result.observe(s.exportedLlmCalls, { table: 'llm_traces' });
      });
    meter
      .createObservableCounter('llm_traces.exporter.rows.dropped', { description: 'Rows given up on', unit: '{row}' })
      .addCallback((result) => {
        for (const [reason, rows] of Object.entries(s.dropped)) result.observe(rows, { reason });
      });
    meter
      .createObservableCounter('llm_traces.exporter.retries', { description: 'Insert attempts retried', unit: '{attempt}' })
      .addCallback((result) => result.observe(s.retries));
    meter
      .createObservableCounter('llm_traces.exporter.exports.failed', {
        description: 'Exports some of whose rows were given up on',
        unit: '{export}',
      })
      .addCallback((result) => result.observe(s.failedExports));
    meter
      .createObservableCounter('llm_traces.exporter.values.dropped', {
        description: 'Values left out of stored rows (token counts out of range)',
        unit: '{value}',
      })
      .addCallback((result) => result.observe(s.droppedValues));
    meter
      .createObservableGauge('llm_traces.exporter.buffer.rows', { description: 'Rows accepted, not yet stored', unit: '{row}' })
      .addCallback((result) => result.observe(s.bufferedRows));
    meter
      .createObservableGauge('llm_traces.exporter.buffer.bytes', { description: 'Bytes accepted, not yet stored', unit: 'By' })
      .addCallback((result) => result.observe(s.bufferedBytes));
    meter
      .createObservableGauge('llm_traces.exporter.llm_calls.held', {
        description: 'LLM calls held back for a partner span or an ancestor span',
        unit: '{call}',
      })
      .addCallback((result) => result.observe(s.heldLlmCalls));
  }
}
