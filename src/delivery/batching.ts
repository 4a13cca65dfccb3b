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
