/**
 * The server goes away in the middle of a stream of exports (SIGKILL: no goodbye; SIGTERM: a
 * graceful stop) and comes back on the same data directory and port: every span handed to the
 * exporter is stored or counted as dropped, and with a big enough buffer none is dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import {
  ServedStore,
  captureConsole,
  clientLogLines,
  exportSpans,
  llmCount,
  scenarioSpans,
  sleep,
  storedCounts,
  totalDropped,
  within,
  report,
} from './harness.js';

const BATCHES = 60;
const BATCH_SPANS = 50;
const BATCH_INTERVAL_MS = 25;
/** The server is stopped after this many exports and restarted (it takes about a second to start). */
const STOP_AFTER = 20;
const MAX_CONCURRENT_INSERTS = 4;

describe('delivery across a server restart', () => {
  let consoleLines: string[];
  let stopConsole: () => void;

  beforeAll(() => {
    ({ lines: consoleLines, stop: stopConsole } = captureConsole());
  });
  afterAll(() => {
    stopConsole();
    report(`@clickhouse/client console lines written during the file: ${clientLogLines(consoleLines).length}`);
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`(b) ${signal} mid-stream, then a restart on the same path: every span is stored, none dropped; duplicates are counted`, async () => {
      const service = `restart-${signal.toLowerCase()}`;
      const store = await ServedStore.create();
      await store.start();
      const exporter = new ClickHouseTraceExporter({ endpoint: store.url, maxConcurrentInserts: MAX_CONCURRENT_INSERTS });
      try {
        await exporter.ready();
        const handed: ReadableSpan[] = [];
        const exports: Promise<unknown>[] = [];
        let restarted: Promise<void> | undefined;
        for (let i = 0; i < BATCHES; i++) {
          const batch = scenarioSpans(service, BATCH_SPANS);
          handed.push(...batch);
          exports.push(exportSpans(exporter, batch));
          if (i === STOP_AFTER) restarted = store.stop(signal).then(() => store.start());
          await sleep(BATCH_INTERVAL_MS);
        }
        await within(30_000, 'the restart', restarted!);
        await within(
          40_000,
          'flushing after the restart',
          Promise.all(exports).then(() => exporter.forceFlush()),
        );
        const stats = exporter.stats()!;
        const stored = await storedCounts(store.url, service);
        const duplicates = { spans: stored.spans - stored.distinctSpans, llmCalls: stored.llmCalls - stored.distinctLlmCalls };
        report(`(b) ${signal}: ${JSON.stringify({ handed: handed.length, handedLlm: llmCount(handed), stats, stored, duplicates })}`);

        // Nothing is lost, and nothing was given up on.
        expect(totalDropped(stats)).toBe(0);
        expect(stored.distinctSpans).toBe(handed.length);
        expect(stored.distinctLlmCalls).toBe(llmCount(handed));
        // Each batch is counted once, when an insert of it succeeded.
        expect(stats.exportedSpans).toBe(handed.length);
        expect(stats.exportedLlmCalls).toBe(llmCount(handed));
        // Without deduplication tokens a batch stored just before the stop, whose answer was lost, is
        // stored again by its retry: only inserts in flight at that moment can be duplicated.
        expect(duplicates.spans + duplicates.llmCalls).toBeLessThanOrEqual(MAX_CONCURRENT_INSERTS * BATCH_SPANS);
      } finally {
        await exporter.shutdown();
        await store.dispose();
      }
    });
  }
});
