/**
 * The store is down (nothing listens on the port, or a server that never answers): batches wait
 * in the bounded buffer, arrive once it is up, and what is given up on is counted by reason.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { FaultProxy } from './fault-proxy.js';
import {
  ServedStore,
  captureConsole,
  clientLogLines,
  exportSpans,
  llmAttributes,
  llmCount,
  scenarioSpans,
  sleep,
  storedCounts,
  storedSpanIds,
  totalDropped,
  within,
  report,
} from './harness.js';

describe('delivery while the store is down', () => {
  let consoleLines: string[];
  let stopConsole: () => void;

  beforeAll(() => {
    ({ lines: consoleLines, stop: stopConsole } = captureConsole());
  });
  afterAll(() => {
    stopConsole();
    report(`@clickhouse/client console lines written during the file: ${clientLogLines(consoleLines).length}`);
  });

  it('(a) keeps what a BatchSpanProcessor hands over while no server listens, and stores all of it once the server starts', async () => {
    const store = await ServedStore.create();
    const exporter = new ClickHouseTraceExporter({ endpoint: store.url });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'down-at-start' }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 100, maxExportBatchSize: 100 })],
    });
    const tracer = provider.getTracer('faults');
    try {
      let llm = 0;
      for (let i = 0; i < 300; i++) {
        const isLlm = i % 10 === 9;
        if (isLlm) llm++;
        tracer
          .startSpan(isLlm ? 'chat gpt-4.1-mini' : `work ${i}`, { attributes: isLlm ? llmAttributes(i, 1_024) : { 'work.index': i } })
          .end();
        if (i % 30 === 29) await sleep(100);
      }
      await sleep(500);
      const whileDown = exporter.stats()!;
      report(`(a) while down: ${JSON.stringify(whileDown)}`);
      expect(whileDown.exportedSpans).toBe(0);
      expect(whileDown.retries).toBeGreaterThan(0);

      const started = Date.now();
      await store.start();
      await within(
        40_000,
        'flushing after the store came up',
        provider.forceFlush().then(() => exporter.forceFlush()),
      );
      const recoveryMs = Date.now() - started;
      const stats = exporter.stats()!;
      const stored = await storedCounts(store.url, 'down-at-start');
      report(`(a) after the store came up: ${JSON.stringify({ stats, stored, recoveryMs })}`);

      expect(totalDropped(stats)).toBe(0);
      expect(stored).toEqual({ spans: 300, distinctSpans: 300, llmCalls: llm, distinctLlmCalls: llm });
      expect(stats).toMatchObject({ exportedSpans: 300, exportedLlmCalls: llm, bufferedRows: 0, bufferedBytes: 0 });
    } finally {
      await provider.shutdown();
      await store.dispose();
    }
  });

  it('(f) bounds the buffer by maxBufferRows: the oldest batches are dropped as buffer_full, the newest arrive after recovery', async () => {
    const store = await ServedStore.create();
    const maxBufferRows = 100;
    const exporter = new ClickHouseTraceExporter({ endpoint: store.url, maxBufferRows });
    try {
      // Ten exports of 25 spans at once (concurrent exports, as several span processors make):
      // 250 rows for a buffer of 100.
      const batches = Array.from({ length: 10 }, () => scenarioSpans('buffer-bound', 25, { llmEvery: 0 }));
      const exported = batches.map((batch) => exportSpans(exporter, batch));
      let peakBufferedRows = 0;
      // The bound holds at all times: before the first failed insert, the exports beyond it wait
      // for room; once the store is known down, they are accepted and the oldest dropped for them.
      const sampler = setInterval(() => {
        peakBufferedRows = Math.max(peakBufferedRows, exporter.stats()!.bufferedRows);
      }, 2);
      await sleep(500);
      clearInterval(sampler);
      const whileDown = exporter.stats()!;

      await store.start();
      await within(40_000, 'flushing after the store came up', exporter.forceFlush());
      const results: ExportResult[] = await within(10_000, 'the export results', Promise.all(exported));
      const stats = exporter.stats()!;
      const ids = await storedSpanIds(store.url, 'buffer-bound');
      const storedBatches = batches
        .map((batch, i) =>
          batch.every((s) => ids.has(s.spanContext().spanId))
            ? i
            : batch.some((s) => ids.has(s.spanContext().spanId))
              ? `part of ${i}`
              : undefined,
        )
        .filter((i) => i !== undefined);
      report(`(f) buffer bound: ${JSON.stringify({ whileDown, peakBufferedRows, stats, storedRows: ids.size, storedBatches })}`);

      // Exact accounting: every row handed over is stored or dropped as buffer_full.
      expect(stats.exportedSpans + stats.dropped.buffer_full).toBe(250);
      expect(ids.size).toBe(stats.exportedSpans);
      expect(totalDropped(stats)).toBe(stats.dropped.buffer_full);
      // Every export answers SUCCESS; each one whose rows were dropped counts as a failed export.
      expect(results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
      expect(stats.failedExports * 25).toBe(stats.dropped.buffer_full);
      // The bound holds, and it is the newest batches that are kept.
      expect.soft(peakBufferedRows).toBeLessThanOrEqual(maxBufferRows);
      expect.soft(storedBatches).toEqual([6, 7, 8, 9]);
      expect.soft(stats.dropped.buffer_full).toBe(150);
    } finally {
      await exporter.shutdown();
      await store.dispose();
    }
  });

  it('(g) shutdown() with no server listening returns within shutdownTimeoutMs and counts what it gave up as shutdown', async () => {
    const store = await ServedStore.create();
    const shutdownTimeoutMs = 1_000;
    const exporter = new ClickHouseTraceExporter({ endpoint: store.url, shutdownTimeoutMs });
    try {
      const batches = Array.from({ length: 4 }, () => scenarioSpans('shutdown-down', 50));
      const handedRows = batches.reduce((sum, batch) => sum + batch.length + llmCount(batch), 0);
      const exported = batches.map((batch) => exportSpans(exporter, batch));
      await sleep(300);
      const started = Date.now();
      await within(30_000, 'shutdown', exporter.shutdown());
      const elapsedMs = Date.now() - started;
      const results = await within(1_000, 'the export results after shutdown', Promise.all(exported));
      const stats = exporter.stats()!;
      report(`(g) shutdown, nothing listening: ${JSON.stringify({ elapsedMs, shutdownTimeoutMs, stats })}`);

      expect(results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
      expect(stats.failedExports).toBe(batches.length);
      expect(stats).toMatchObject({ exportedSpans: 0, exportedLlmCalls: 0, bufferedRows: 0, bufferedBytes: 0 });
      expect(stats.dropped.shutdown).toBe(handedRows);
      expect(totalDropped(stats)).toBe(handedRows);
      expect(elapsedMs).toBeLessThanOrEqual(shutdownTimeoutMs + 1_000);
    } finally {
      await store.dispose();
    }
  });

  it('(g) shutdown() with a server that never answers returns within shutdownTimeoutMs and counts what it gave up as shutdown', async () => {
    // Nothing behind the proxy: every request is read and left unanswered.
    const proxy = await FaultProxy.start('http://127.0.0.1:9');
    proxy.policy = () => ({ kind: 'hang' });
    const shutdownTimeoutMs = 1_000;
    // A short retry budget bounds how long the test can take if shutdown waits for retries.
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url, timeoutMs: 1_500, retryBudgetMs: 8_000, shutdownTimeoutMs });
    try {
      const batches = Array.from({ length: 3 }, () => scenarioSpans('shutdown-hang', 50));
      const handedRows = batches.reduce((sum, batch) => sum + batch.length + llmCount(batch), 0);
      const exported = batches.map((batch) => exportSpans(exporter, batch));
      await sleep(300);
      const started = Date.now();
      await within(30_000, 'shutdown', exporter.shutdown());
      const elapsedMs = Date.now() - started;
      const results = await within(1_000, 'the export results after shutdown', Promise.all(exported));
      const stats = exporter.stats()!;
      report(
        `(g) shutdown, server never answers: ${JSON.stringify({ elapsedMs, shutdownTimeoutMs, stats, requests: proxy.requests.length })}`,
      );

      expect(results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
      expect(stats.failedExports).toBe(batches.length);
      expect(stats).toMatchObject({ exportedSpans: 0, exportedLlmCalls: 0, bufferedRows: 0, bufferedBytes: 0 });
      expect(totalDropped(stats)).toBe(handedRows);
      expect.soft(stats.dropped.shutdown).toBe(handedRows);
      expect.soft(elapsedMs).toBeLessThanOrEqual(shutdownTimeoutMs + 1_000);
    } finally {
      await proxy.close();
    }
  });
});
