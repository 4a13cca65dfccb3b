import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchSpanProcessorConfig } from '../../../src/delivery/batching.js';

describe('batchSpanProcessorConfig', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('batches 4096 spans per export with a queue of 16384 by default', () => {
    vi.stubEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', undefined);
    vi.stubEnv('OTEL_BSP_MAX_QUEUE_SIZE', undefined);
    expect(batchSpanProcessorConfig()).toEqual({ maxExportBatchSize: 4096, maxQueueSize: 16_384 });
  });

  it('lets OTEL_BSP_* win, as the SDK does', () => {
    vi.stubEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '1000');
    vi.stubEnv('OTEL_BSP_MAX_QUEUE_SIZE', '8000');
    expect(batchSpanProcessorConfig()).toEqual({ maxExportBatchSize: 1000, maxQueueSize: 8000 });
  });
});
