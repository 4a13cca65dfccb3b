/**
 * The span processor for this exporter. The SDK's BatchSpanProcessor sends one export at a time,
 * and an export answers once its rows are accepted by the delivery buffer, so the next batch is
 * converted while the previous one is inserted. Its `forceFlush()` does not call the exporter's,
 * though: with the SDK's processor, `provider.forceFlush()` returns once the rows are accepted,
 * not stored. ClickHouseBatchSpanProcessor also flushes the exporter, so it means "queryable".
 */
import { getNumberFromEnv } from '@opentelemetry/core';
import { BatchSpanProcessor, type BufferConfig, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Larger batches than the SDK's defaults (512 spans per export, a queue of 2048): every insert has
 * a fixed cost (a part in each table), and at thousands of spans per second the defaults make
 * inserts too small to keep up. `OTEL_BSP_*` environment variables still win.
 */
export function batchSpanProcessorConfig(): BufferConfig {
  return {
    maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? 4096,
    maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE') ?? 16_384,
  };
}

/**
 * How long an export's rows wait for room in the delivery buffer while ClickHouse works but stores
 * more slowly than spans come (past it the oldest buffered rows are dropped for them): 5 s, or less
 * when the span processor's own export timeout (`OTEL_BSP_EXPORT_TIMEOUT`, 30 s by default) is
 * shorter, so the processor never gives up on an export first.
 */
export function acceptWithinMs(): number {
  const processorTimeout = getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT');
  return processorTimeout === undefined ? 5_000 : Math.max(0, Math.min(5_000, Math.floor(processorTimeout / 2)));
}

/**
 * A BatchSpanProcessor (batchSpanProcessorConfig() unless told otherwise, `OTEL_BSP_*` still
 * winning) whose forceFlush() resolves once every span ended before it is stored in ClickHouse or
 * counted as dropped: it flushes its span queue, then the exporter.
 */
export class ClickHouseBatchSpanProcessor extends BatchSpanProcessor {
  private readonly flushed: SpanExporter;

  constructor(exporter: SpanExporter, config?: BufferConfig) {
    super(exporter, { ...batchSpanProcessorConfig(), ...config });
    this.flushed = exporter;
  }

  override async forceFlush(): Promise<void> {
    try {
      await super.forceFlush();
    } finally {
      // Also after a rejected flush (an export past exportTimeoutMillis): what was accepted is stored.
      await this.flushed.forceFlush?.();
    }
  }
}
