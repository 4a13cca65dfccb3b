/** Handing spans to a SpanExporter the way a BatchSpanProcessor does, and counting them. */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The BatchSpanProcessor's default maxExportBatchSize. */
export const BATCH_SIZE = 512;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function exportBatch(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** Exports the batches one after another, as the BatchSpanProcessor does; a failed export throws. */
export async function exportSequentially(exporter: SpanExporter, batches: readonly ReadableSpan[][]): Promise<void> {
  for (const batch of batches) {
    const result = await exportBatch(exporter, batch);
    if (result.code !== ExportResultCode.SUCCESS) throw new Error(`export failed: ${result.error?.message ?? 'no reason given'}`);
  }
}

/** Passes everything through and counts the spans handed to the wrapped exporter. */
export class CountingExporter implements SpanExporter {
  handed = 0;

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.handed += spans.length;
    this.inner.export(spans, resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
