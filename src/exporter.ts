/**
 * The OpenTelemetry `SpanExporter`: every span to `otel_traces`, every LLM call to `llm_traces`.
 * It never throws into the host app: configuration and storage failures reach the span
 * processor as FAILED results and are logged through `diag`.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describeConfig, resolveConfig, type ClickHouseTraceExporterOptions, type ResolvedConfig } from './config.js';
import type { ExporterStats } from './delivery/counters.js';
import { createPricer, type Pricer } from './pricing/index.js';
import { toRowBatch, type RowBatch } from './rows/batch.js';
import { ClickHouseWriter } from './writer.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export class ClickHouseTraceExporter implements SpanExporter {
  private readonly config: ResolvedConfig | undefined;
  private readonly configError: Error | undefined;
  private readonly writer: ClickHouseWriter | undefined;
  private readonly pricer: Pricer | undefined;
  private readonly pending = new Set<Promise<void>>();
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: ClickHouseTraceExporterOptions = {}) {
    try {
      this.config = resolveConfig(options);
      this.pricer = createPricer(this.config.pricing);
      this.writer = new ClickHouseWriter(this.config);
      log.debug(`exporting to ${describeConfig(this.config)}`);
      // Open the store and create the schema now, so the tables exist before the first export.
      this.writer.ready().catch((error: unknown) => log.warn(`ClickHouse is not ready yet; the next export retries: ${messageOf(error)}`));
    } catch (error) {
      this.configError = error instanceof Error ? error : new Error(String(error));
      log.error(this.configError.message);
    }
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
    const sending = this.send(spans).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        log.error(`export of ${spans.length} spans failed: ${failure.message}`);
        resultCallback({ code: ExportResultCode.FAILED, error: failure });
      },
    );
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  /**
   * SUCCESS only once every row is stored. A batch that is not stored within REPORT_AFTER_MS is
   * reported FAILED (so the span processor is not held up) while it stays buffered and retried.
   */
  private async send(spans: ReadableSpan[]): Promise<void> {
    if (this.configError) throw this.configError;
    if (spans.length === 0) return;
    this.writer!.counters.instrument();
    const rows = await toRowBatchInSlices(spans, { otel: this.config!.tracesTable !== undefined, pricer: this.pricer, payloads: this.config!.payloads }, this.writer!);
    const stored = this.writer!.write(rows);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`llm-traces: ClickHouse has not stored this batch within ${REPORT_AFTER_MS} ms; it stays buffered and is retried`)), REPORT_AFTER_MS);
      timer.unref();
    });
    stored.catch(() => {}); // settled later by the queue; counted there
    try {
      await Promise.race([stored, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** What happened to the rows handed over so far: stored, retried, dropped by reason, buffered. */
  stats(): ExporterStats | undefined {
    return this.writer?.counters.snapshot();
  }

  /** Waits for every export handed over so far and for the retry buffer to drain. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
    await this.writer?.flush();
  }

  /**
   * Waits for pending exports, gives buffered batches up to `shutdownTimeoutMs` to be stored
   * (what is left is dropped and counted), refuses later exports and closes the connection.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      await Promise.all([...this.pending]);
      await this.writer?.close(this.config!.shutdownTimeoutMs);
    })();
    return this.shutdownPromise;
  }
}

/** How long an export waits for ClickHouse before reporting FAILED (the BSP gives up at 30 s). */
const REPORT_AFTER_MS = 5_000;
const CONVERSION_SLICE = 256;

/** Converts a large export in slices, yielding to the event loop between them. */
async function toRowBatchInSlices(spans: ReadableSpan[], options: Parameters<typeof toRowBatch>[1], writer: ClickHouseWriter): Promise<RowBatch> {
  if (spans.length <= CONVERSION_SLICE) return countConversionFailures(toRowBatch(spans, options), writer);
  const batch: RowBatch = { otel: [], llm: [], failed: 0 };
  for (let i = 0; i < spans.length; i += CONVERSION_SLICE) {
    if (i > 0) await yieldToEventLoop();
    const slice = toRowBatch(spans.slice(i, i + CONVERSION_SLICE), options);
    batch.otel.push(...slice.otel);
    batch.llm.push(...slice.llm);
    batch.failed += slice.failed;
  }
  return countConversionFailures(batch, writer);
}

function countConversionFailures(batch: RowBatch, writer: ClickHouseWriter): RowBatch {
  if (batch.failed > 0) writer.counters.dropped('conversion', batch.failed);
  return batch;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
