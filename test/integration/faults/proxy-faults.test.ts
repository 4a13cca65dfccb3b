/**
 * Faults injected by a proxy between the exporter and `llm-traces serve`: a slow server, a run of
 * HTTP 500s, and a wrong password.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { FaultProxy, type Fault } from './fault-proxy.js';
import {
  ServedStore,
  captureConsole,
  captureDiag,
  clientLogLines,
  exportSpans,
  llmCount,
  scenarioSpans,
  storedCounts,
  totalDropped,
  within,
  type DiagLine,
  report,
} from './harness.js';

const USER = 'dev';
const PASSWORD = 'right-secret-7f3a';

describe('delivery through a fault-injecting proxy', () => {
  let store: ServedStore;
  let proxy: FaultProxy;
  let diagLines: DiagLine[];
  let stopDiag: () => void;
  let consoleLines: string[];
  let stopConsole: () => void;
  const auth = { username: USER, password: PASSWORD };

  beforeAll(async () => {
    ({ lines: diagLines, stop: stopDiag } = captureDiag());
    ({ lines: consoleLines, stop: stopConsole } = captureConsole());
    store = await ServedStore.create({ user: USER, password: PASSWORD });
    await store.start();
    proxy = await FaultProxy.start(store.url);
  });
  afterAll(async () => {
    stopDiag();
    stopConsole();
    report(`@clickhouse/client console lines written during the file: ${clientLogLines(consoleLines).length}`);
    await proxy?.close();
    await store?.dispose();
  });

  it('(c) retries inserts the server answers later than timeoutMs: every span is stored, every stored row accounted for', async () => {
    const requestsBefore = proxy.requests.length;
    const slowInserts = 3;
    // The first inserts get their (successful) answer long after the client's timeout.
    // The timeout leaves an ordinary insert room on a loaded 2-core machine (a 400 ms one did not).
    proxy.policy = ({ index }) => (index !== undefined && index < slowInserts ? { kind: 'delay', ms: 4_000 } : { kind: 'pass' });
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url, ...auth, timeoutMs: 2_000 });
    try {
      const batches = Array.from({ length: 8 }, () => scenarioSpans('slow-server', 40));
      const handed = batches.flat();
      const results = await within(
        30_000,
        'exports through a slow server',
        Promise.all(batches.map((batch) => exportSpans(exporter, batch))),
      );
      await within(30_000, 'forceFlush', exporter.forceFlush());
      const stats = exporter.stats()!;
      const stored = await storedCounts(store.url, 'slow-server', auth);
      const inserts = proxy.requests.slice(requestsBefore).filter((r) => r.insert !== undefined);
      const storedByServer = proxy.rowsStored(inserts);
      const slow = inserts.filter((r) => r.fault === 'delay');
      const duplicates = { spans: stored.spans - stored.distinctSpans, llmCalls: stored.llmCalls - stored.distinctLlmCalls };
      report(`(c) slow server: ${JSON.stringify({ stats, stored, duplicates, inserts: inserts.length, storedByServer })}`);

      expect(slow).toHaveLength(slowInserts);
      expect(slow.every((r) => r.abandoned && r.upstreamStatus === 200)).toBe(true);
      expect(results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
      // Every span and call is stored, each batch counted once as exported, none dropped.
      expect(stored.distinctSpans).toBe(handed.length);
      expect(stored.distinctLlmCalls).toBe(llmCount(handed));
      expect(stats).toMatchObject({ exportedSpans: handed.length, exportedLlmCalls: llmCount(handed), bufferedRows: 0 });
      expect(totalDropped(stats)).toBe(0);
      // Every failed attempt was retried, and each batch (one per table per export) succeeded once.
      expect(stats.retries).toBeGreaterThanOrEqual(slowInserts);
      expect(inserts).toHaveLength(2 * batches.length + stats.retries);
      // At-least-once: every insert the server stored counts, also those whose answer the client
      // gave up on; their retry stored the rows again (no deduplication token is sent).
      expect(stored.spans).toBe(storedByServer.otel_traces);
      expect(stored.llmCalls).toBe(storedByServer.llm_traces);
    } finally {
      await exporter.shutdown();
    }
  });

  // What a load balancer answers, and what `llm-traces serve` answers while it drains on SIGTERM (ABORTED).
  const transientErrors: Array<{ name: string; service: string; fault: Fault }> = [
    { name: 'plain HTTP 500s', service: 'http-500', fault: { kind: 'status', status: 500, body: 'Internal Server Error' } },
    {
      name: 'ABORTED (236) answers',
      service: 'http-500-aborted',
      fault: {
        kind: 'status',
        status: 500,
        headers: { 'X-ClickHouse-Exception-Code': '236' },
        body: 'Code: 236. DB::Exception: The server is shutting down. (ABORTED) (version 26.7.1.1)\n',
      },
    },
  ];
  it.each(transientErrors)('(d) retries through a run of $name and stores every span exactly once', async ({ name, service, fault }) => {
    const requestsBefore = proxy.requests.length;
    let outageEnds: number | undefined;
    // The error for every insert during the first 1.5 s after the first one, then the server answers.
    proxy.policy = ({ insert }) => {
      if (!insert) return { kind: 'pass' };
      outageEnds ??= Date.now() + 1_500;
      return Date.now() < outageEnds ? fault : { kind: 'pass' };
    };
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url, ...auth });
    try {
      await exporter.ready();
      const batches = Array.from({ length: 8 }, () => scenarioSpans(service, 40));
      const handed = batches.flat();
      await within(30_000, 'exports through a run of errors', Promise.all(batches.map((batch) => exportSpans(exporter, batch))));
      await within(30_000, 'forceFlush', exporter.forceFlush());
      const stats = exporter.stats()!;
      const stored = await storedCounts(store.url, service, auth);
      const refused = proxy.requests.slice(requestsBefore).filter((r) => r.fault === 'status').length;
      report(`(d) ${name}: ${JSON.stringify({ stats, stored, refused })}`);

      expect(refused).toBeGreaterThan(0);
      expect(stats.retries).toBe(refused);
      expect(totalDropped(stats)).toBe(0);
      expect(stored).toEqual({
        spans: handed.length,
        distinctSpans: handed.length,
        llmCalls: llmCount(handed),
        distinctLlmCalls: llmCount(handed),
      });
      expect(stats.exportedSpans).toBe(handed.length);
    } finally {
      await exporter.shutdown();
    }
  });

  it('(e) treats a wrong password as permanent: no retries, one error line with the cause and the fix, rows counted, the password never shown', async () => {
    const wrongPassword = 'wrong-pass-9c41e7';
    proxy.policy = () => ({ kind: 'pass' });
    const requestsBefore = proxy.requests.length;
    const linesBefore = diagLines.length;
    const consoleBefore = consoleLines.length;
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url, username: USER, password: wrongPassword });
    const exports = 6;
    const results: ExportResult[] = [];
    let handed = 0;
    let handedLlm = 0;
    try {
      for (let i = 0; i < exports; i++) {
        const batch = scenarioSpans('wrong-password', 30);
        handed += batch.length;
        handedLlm += llmCount(batch);
        results.push(await within(10_000, 'an export refused for its credentials', exportSpans(exporter, batch)));
      }
      await within(10_000, 'forceFlush', exporter.forceFlush());
    } finally {
      await exporter.shutdown();
    }
    const stats = exporter.stats()!;
    const requests = proxy.requests.slice(requestsBefore);
    const lines = diagLines.slice(linesBefore);
    const errorLines = lines.filter((l) => l.level === 'error');
    const written = consoleLines.slice(consoleBefore);
    report(
      `(e) wrong password: ${JSON.stringify({ stats, requests: requests.length, diagErrorLines: errorLines.length, clientConsoleLines: clientLogLines(written).length })}`,
    );
    for (const line of errorLines) report(`  diag error: ${line.text.slice(0, 240)}`);

    expect(results.every((r) => r.code === ExportResultCode.FAILED)).toBe(true);
    expect(stats.retries).toBe(0);
    expect(stats.dropped.permanent_failure).toBe(handed + handedLlm);
    expect(stats.exportedSpans + stats.exportedLlmCalls).toBe(0);
    // No retry storm: at most one request per batch per table, plus the schema check at start.
    expect(requests.length).toBeLessThanOrEqual(1 + 2 * exports);
    // The cause and the fix are told once, in one diag error line, however many batches fail.
    expect.soft(errorLines.map((l) => l.text)).toHaveLength(1);
    expect.soft(errorLines[0]?.text).toContain('AUTHENTICATION_FAILED');
    expect.soft(errorLines[0]?.text).toContain('OTEL_EXPORTER_CLICKHOUSE_PASSWORD');
    // The exporter speaks through diag only, never on the application's console.
    expect.soft(clientLogLines(written)).toEqual([]);
    // The password appears in no diag line, console line, export error (with its causes) or server log.
    const errors = results.flatMap((r) => causeChain(r.error));
    const everything = [...lines.map((l) => l.text), ...written, ...errors, store.output()].join('\n');
    expect(everything).toContain('AUTHENTICATION_FAILED');
    expect(everything).not.toContain(wrongPassword);
    expect(everything).not.toContain(PASSWORD);
  });
});

/** Message and stack of an error and of every error in its `cause` chain. */
function causeChain(error: unknown): string[] {
  const texts: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) texts.push(e.message, e.stack ?? '', JSON.stringify(e));
  return texts;
}
