/**
 * The OpenTelemetry `SpanExporter`: every span to `otel_traces`, every LLM call to `llm_traces`.
 * It never throws into the host app: configuration and storage failures reach the span
 * processor as FAILED results and are logged through `diag`.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describeConfig, resolveConfig, type ClickHouseTraceExporterOptions, type ResolvedConfig } from './config/config.js';
import type { ExporterStats } from './delivery/counters.js';
import { DeliveryError } from './delivery/retry-policy.js';
import { createPricer } from './pricing/index.js';
import { OrderedHandOver } from './delivery/ordered-hand-over.js';
import { ClickHouseWriter, untilDeadline, type TableRows } from './delivery/writer.js';
import { SpanConverter } from './pipeline/convert.js';
import { LogContentArea, registerLogContentArea } from './pipeline/log-content.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

/** How long an export waits for ClickHouse before reporting FAILED (the BSP gives up at 30 s). */
const REPORT_AFTER_MS = 5_000;

export class ClickHouseTraceExporter implements SpanExporter {
  private readonly config: ResolvedConfig | undefined;
  private readonly configError: Error | undefined;
  private readonly writer: ClickHouseWriter | undefined;
  private readonly converter: SpanConverter | undefined;
  private readonly releaseTimer: NodeJS.Timeout;
  private readonly pending = new Set<Promise<void>>();
  /** Exports still converting spans to rows, before the writer has them. */
  private readonly conversions = new OrderedHandOver();
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: ClickHouseTraceExporterOptions = {}) {
    try {
      this.config = resolveConfig(options);
      // Content from GenAI log records (GenAiContentLogProcessor), when payloads are stored at all.
      const logContent = this.config.payloads.store ? new LogContentArea() : undefined;
      if (logContent) registerLogContentArea(this, logContent);
      this.converter = new SpanConverter({
        otel: this.config.tracesTable !== undefined,
        pricer: createPricer(this.config.pricing),
        payloads: this.config.payloads,
        logContent,
      });
      this.writer = new ClickHouseWriter(this.config);
      log.debug(`exporting to ${describeConfig(this.config)}`);
      // Open the store and create the schema now, so the tables exist before the first export.
      this.writer.ready().catch(() => {}); // reported by the writer
    } catch (error) {
      this.configError = error instanceof Error ? error : new Error(String(error));
      log.error(this.configError.message);
    }
    // Writes the LLM calls held for a span that did not come in time (unref'd: never keeps the app alive).
    this.releaseTimer = setInterval(() => this.writeHeld(false), 1_000);
    this.releaseTimer.unref();
  }

  /** Resolves when the store is open and the schema is in place; rejects with the reason it is not. */
  async ready(): Promise<void> {
    if (this.configError) throw this.configError;
    await this.writer!.ready();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutdownPromise) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('llm-traces: the exporter has been shut down') });
      return;
    }
    this.track(
      this.send(spans).then(
        () => resultCallback({ code: ExportResultCode.SUCCESS }),
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          this.writer?.counters.failedExport();
          // The delivery queue has already reported why (once per cause); say it again only in debug.
          if (failure instanceof DeliveryError) log.debug(`export of ${spans.length} spans failed: ${failure.message}`);
          else log.error(`export of ${spans.length} spans failed: ${failure.message}`);
          resultCallback({ code: ExportResultCode.FAILED, error: failure });
        },
      ),
    );
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /**
   * SUCCESS only once every row is stored. A batch that is not stored within REPORT_AFTER_MS is
   * reported FAILED (so the span processor is not held up) while it stays buffered and retried.
   */
  private async send(spans: ReadableSpan[]): Promise<void> {
    if (this.configError) throw this.configError;
    if (spans.length === 0) return;
    const writer = this.writer!;
    writer.counters.instrument();
    // Concurrent exports (a forceFlush, several span processors) are converted one after another,
    // in the order they came, so they reach the writer in that order. Rows of the light spans are
    // stored while the heavy ones are converted (SpanConverter.convert).
    const writes: Promise<void>[] = [];
    const write = (rows: TableRows): void => {
      const stored = writer.write(rows);
      stored.catch(() => {}); // settled later by the queue and counted there; reported through `writes`
      writes.push(stored);
    };
    await this.conversions.run(async (previous) => {
      await previous;
      const rows = await this.converter!.convert(spans, (otel) => write({ otel, llm: [] }));
      writer.counters.held(this.converter!.held);
      if (rows.failed > 0) writer.counters.dropped('conversion', rows.failed);
      write(rows);
    });
    const stored = Promise.all(writes);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`llm-traces: ClickHouse has not stored this batch within ${REPORT_AFTER_MS} ms; it stays buffered and is retried`),
          ),
        REPORT_AFTER_MS,
      );
      timer.unref();
    });
    try {
      await Promise.race([stored, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes held LLM calls whose parent span has not come in time (all of them with `all`). */
  private writeHeld(all: boolean): void {
    if (this.configError || this.converter!.held === 0) return;
    const rows = this.converter!.releaseHeld(all);
    this.writer!.counters.held(this.converter!.held);
    if (rows.llm.length === 0 && rows.failed === 0) return;
    if (rows.failed > 0) this.writer!.counters.dropped('conversion', rows.failed);
    this.track(this.writer!.write(rows).catch(() => {}));
  }

  /** What happened to the rows handed over so far: stored, retried, dropped by reason, buffered. */
  stats(): ExporterStats | undefined {
    return this.writer?.counters.snapshot();
  }

  /** Writes held calls, waits for every export handed over so far and for the retry buffer to drain. */
  async forceFlush(): Promise<void> {
    this.writeHeld(true);
    await Promise.all([...this.pending]);
    await this.writer?.flush();
  }

  /**
   * Writes held calls and gives everything not yet stored until `shutdownTimeoutMs` (what is left
   * is dropped and counted), refuses later exports and closes the connection.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      clearInterval(this.releaseTimer);
      if (!this.writer) return;
      const deadline = Date.now() + this.config!.shutdownTimeoutMs;
      // Rows still being converted must reach the writer before it closes.
      await untilDeadline(this.conversions.settled(), deadline);
      this.writeHeld(true);
      // Pending exports settle when the writer stores or gives up on their rows, by the deadline.
      await this.writer.close(deadline);
      await Promise.all([...this.pending]);
    })();
    return this.shutdownPromise;
  }
}
