/**
 * BatchSpanProcessor settings for this exporter: larger batches than the SDK's defaults (512 spans
 * per export, a queue of 2048). The processor sends one batch at a time and an export completes
 * when its rows are stored, so spans/s is batch size over insert time, and every insert has a
 * fixed cost (a part in each table). `OTEL_BSP_*` environment variables still win.
 */
import { getNumberFromEnv } from '@opentelemetry/core';
import type { BufferConfig } from '@opentelemetry/sdk-trace-base';

export function batchSpanProcessorConfig(): BufferConfig {
  return {
    maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? 4096,
    maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE') ?? 16_384,
  };
}

/**
 * How long an export waits for ClickHouse before it answers with its rows still buffered and
 * retried: 5 s, or less when the span processor's own export timeout (`OTEL_BSP_EXPORT_TIMEOUT`,
 * 30 s by default) is shorter, so the processor never gives up on an export first.
 */
export function exportAnswerWithinMs(): number {
  const processorTimeout = getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT');
  return processorTimeout === undefined ? 5_000 : Math.max(0, Math.min(5_000, Math.floor(processorTimeout / 2)));
}
