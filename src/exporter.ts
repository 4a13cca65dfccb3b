/**
 * The OpenTelemetry `SpanExporter`: every span to `otel_traces`, every LLM call to `llm_traces`.
 * It never throws into the host app: configuration and storage failures reach the span
 * processor as FAILED results and are logged through `diag`.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describeConfig, resolveConfig, type ClickHouseTraceExporterOptions, type ResolvedConfig } from './config.js';
import { createPricer, type Pricer } from './pricing/index.js';
import { toRowBatch } from './rows/batch.js';
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

  private async send(spans: ReadableSpan[]): Promise<void> {
    if (this.configError) throw this.configError;
    if (spans.length === 0) return;
    await this.writer!.write(toRowBatch(spans, { otel: this.config!.tracesTable !== undefined, pricer: this.pricer }));
  }

  /** Waits for every export handed over so far. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Flushes, refuses later exports and closes the connection this exporter opened. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      await this.forceFlush();
      await this.writer?.close();
    })();
    return this.shutdownPromise;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
