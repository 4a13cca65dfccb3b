/**
 * The OpenTelemetry `SpanExporter`: every span to `otel_traces`, every LLM call to `llm_traces`.
 * It never throws into the host app, never blocks it and never rejects into it.
 *
 * An export answers once its rows are converted and accepted by the bounded delivery buffer; the
 * inserts run behind it (retried, bounded, counted), so the span processor's next batch is
 * converted while this one is inserted. forceFlush() and shutdown() wait until every accepted row
 * is stored or counted as dropped (ClickHouseBatchSpanProcessor makes `provider.forceFlush()` call
 * forceFlush(); the SDK's processor does not).
 *
 * The answer is always SUCCESS, because a BatchSpanProcessor turns FAILED into a rejected
 * `provider.shutdown()` / `sdk.shutdown()` that skips this exporter's own shutdown, and with it the
 * buffered rows. What could not be stored is counted by reason (`stats()`, the metrics) and said
 * once through `diag`.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describeConfig, resolveConfig, type ClickHouseTraceExporterOptions, type ResolvedConfig } from './config/config.js';
import { Counters, type ExporterStats } from './delivery/counters.js';
import { createPricer } from './pricing/index.js';
import { joinProcessExit, keepProcessAlive } from './delivery/process-exit.js';
import { OrderedHandOver } from './delivery/ordered-hand-over.js';
import { ClickHouseWriter, untilDeadline } from './delivery/writer.js';
import { SpanConverter } from './pipeline/convert.js';
import { LogContentArea, registerLogContentArea } from './pipeline/log-content.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export class ClickHouseTraceExporter implements SpanExporter {
  private readonly config: ResolvedConfig | undefined;
  private readonly configError: Error | undefined;
  private readonly counters = new Counters();
  private readonly writer: ClickHouseWriter | undefined;
  private readonly converter: SpanConverter | undefined;
  private readonly releaseTimer: NodeJS.Timeout;
  private readonly pending = new Set<Promise<void>>();
  /** Exports still converting spans to rows, before the writer has them. */
  private readonly conversions = new OrderedHandOver();
  private shutdownPromise: Promise<void> | undefined;
  private readonly processExit: { leave(): void };
  private exitFlush: Promise<void> | undefined;
  private exitFlushed = false;

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
        onInvalidValue: ({ column, value }) => {
          this.counters.stats.droppedValues++;
          this.writer?.reporter.invalidValue(
            `left ${column} = ${value} out of an llm_traces row: not a whole number of tokens a UInt64 column stores exactly, so the usage is stored as not reported`,
          );
        },
        logContent,
      });
      this.writer = new ClickHouseWriter(this.config, this.counters);
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
    this.processExit = joinProcessExit({ beforeExit: () => this.flushAtExit(), exit: () => this.abandonAtExit() });
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
    this.exitFlushed = false;
    let answered = false;
    const answer = (): void => {
      if (answered) return;
      answered = true;
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    this.track(
      this.send(spans, answer).then(
        (stored) => {
          if (!stored) this.counters.failedExport();
        },
        (error: unknown) => {
          // Not a storage failure (those are counted by the queue): a defect in the conversion.
          this.counters.failedExport();
          this.counters.dropped('conversion', spans.length);
          log.error(`export of ${spans.length} spans failed: ${error instanceof Error ? error.message : String(error)}`);
          answer();
        },
      ),
    );
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /**
   * Converts the spans, hands the rows to the writer, calls `accepted` once the delivery buffer
   * holds all of them, and resolves once every row is stored (true) or some were given up on
   * (false; counted by the queue, its cause reported once).
   */
  private async send(spans: ReadableSpan[], accepted: () => void): Promise<boolean> {
    if (this.configError) {
      this.counters.dropped('permanent_failure', spans.length);
      accepted();
      return false;
    }
    if (spans.length === 0) {
      accepted();
      return true;
    }
    const writer = this.writer!;
    this.counters.instrument();
    // Concurrent exports (a forceFlush, several span processors) are converted one after another,
    // in the order they came, so they reach the writer in that order.
    const delivery = await this.conversions.run(async (previous) => {
      await previous;
      const rows = await this.converter!.convert(spans);
      this.counters.held(this.converter!.held);
      if (rows.failed > 0) this.counters.dropped('conversion', rows.failed);
      return writer.write(rows);
    });
    delivery.stored.catch(() => {}); // settled by the queue and counted there; awaited below
    await delivery.accepted;
    accepted();
    return delivery.stored.then(
      () => true,
      (error: unknown) => {
        // The delivery queue has already reported why (once per cause); say it again only in debug.
        log.debug(`export of ${spans.length} spans: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      },
    );
  }

  /** Writes held LLM calls whose parent span has not come in time (all of them with `all`). */
  private writeHeld(all: boolean): void {
    if (this.configError || this.converter!.held === 0) return;
    const rows = this.converter!.releaseHeld(all);
    this.counters.held(this.converter!.held);
    if (rows.llm.length === 0 && rows.failed === 0) return;
    if (rows.failed > 0) this.counters.dropped('conversion', rows.failed);
    const delivery = this.writer!.write(rows);
    // `accepted` rejects only when the rows could not be serialized: a defect, counted as the export path counts it.
    delivery.accepted.catch((error: unknown) => {
      this.counters.dropped('conversion', rows.llm.length);
      log.error(`writing ${rows.llm.length} held LLM calls failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.track(delivery.stored.catch(() => {}));
  }

  /** What happened to the rows handed over so far: stored, retried, dropped by reason, buffered. */
  stats(): ExporterStats {
    return this.counters.snapshot();
  }

  /**
   * Writes held calls and waits until every row handed over so far (accepted or still converting)
   * is stored or given up on (within retryBudgetMs). Resolves, never rejects; what was given up on
   * is in stats().
   */
  forceFlush(): Promise<void> {
    return keepProcessAlive(
      (async () => {
        this.writeHeld(true);
        await Promise.all([...this.pending]);
        await this.writer?.flush();
      })(),
    ).catch((error: unknown) => log.error(`forceFlush: ${error instanceof Error ? error.message : String(error)}`));
  }

  /**
   * Writes held calls and gives everything not yet stored until `shutdownTimeoutMs` (what is left
   * is dropped, counted and said in one line), refuses later exports and closes the connection.
   * Resolves, never rejects.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= keepProcessAlive(this.close()).catch((error: unknown) =>
      log.error(`shutdown: ${error instanceof Error ? error.message : String(error)}`),
    );
    return this.shutdownPromise;
  }

  private async close(): Promise<void> {
    clearInterval(this.releaseTimer);
    this.processExit.leave();
    if (!this.writer) return;
    const dropped = this.counters.stats.dropped.shutdown;
    const deadline = Date.now() + this.config!.shutdownTimeoutMs;
    // Rows still being converted must reach the writer before it closes.
    await untilDeadline(this.conversions.settled(), deadline);
    this.writeHeld(true);
    // Pending exports settle when the writer stores or gives up on their rows, by the deadline.
    await this.writer.close(deadline);
    await Promise.all([...this.pending]);
    const lost = this.counters.stats.dropped.shutdown - dropped;
    if (lost > 0)
      this.writer.reporter.lost(
        `${lost} rows were not stored in ClickHouse within shutdownTimeoutMs (${this.config!.shutdownTimeoutMs} ms) and are dropped (counted in stats().dropped.shutdown)`,
      );
  }

  /**
   * The event loop is empty but rows are not stored yet (the SDK never called shutdown(), or its
   * flush rejected first): give them the shutdown deadline to be stored. The exporter stays open:
   * a span processor flushing at exit may still hand a batch over.
   */
  private flushAtExit(): void {
    if (this.shutdownPromise || this.exitFlush || this.exitFlushed || !this.writer) return;
    if (this.pending.size === 0 && this.counters.stats.bufferedRows === 0 && this.converter!.held === 0) return;
    // Once per stretch without exports: if the store stays down, the process then exits and
    // abandonAtExit() counts what is left, instead of the event loop emptying again and again.
    this.exitFlushed = true;
    this.exitFlush = keepProcessAlive(untilDeadline(this.forceFlush(), Date.now() + this.config!.shutdownTimeoutMs)).finally(
      () => (this.exitFlush = undefined),
    );
  }

  /** The process exits without waiting: what is not stored is counted now and said once. */
  private abandonAtExit(): void {
    if (!this.writer) return;
    const held = this.configError || this.converter!.held === 0 ? 0 : this.converter!.releaseHeld(true).llm.length;
    if (held > 0) this.counters.dropped('shutdown', held);
    const rows = this.writer.abandon() + held;
    if (rows > 0)
      this.writer.reporter.lost(
        `the process exited with ${rows} rows not yet stored in ClickHouse; they are lost (counted as dropped: shutdown). Await provider.shutdown() (or sdk.shutdown()) before the process exits`,
      );
  }
}
