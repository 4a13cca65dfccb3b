/**
 * The delivery contract under the pipelined acknowledgement: an export answers once its rows are
 * accepted by the bounded buffer, the inserts run behind it, and what the app relies on stays
 * true: `provider.forceFlush()` with ClickHouseBatchSpanProcessor, `exporter.forceFlush()` and
 * `shutdown()` return once every accepted row is stored or counted as dropped. The store is
 * `llm-traces serve` behind a proxy that holds inserts back until the test lets them through, so
 * "accepted, not yet stored" is a state the test controls, not a race it hopes to win.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClickHouseBatchSpanProcessor } from '../../../src/delivery/batching.js';
import { MAX_INSERT_BYTES } from '../../../src/delivery/writer.js';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { FaultProxy } from './fault-proxy.js';
import {
  ServedStore,
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

/** Inserts wait at the proxy until `open()`; requests that are not inserts pass. */
function gate(proxy: FaultProxy): { open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  proxy.policy = ({ insert }) => (insert ? { kind: 'gate', open: opened } : { kind: 'pass' });
  return { open };
}

/**
 * Waits until the proxy has seen the client go away from `count` inserts since request `from`, or
 * from all of them (an abort reaches the proxy a moment after the exporter gives up).
 */
async function abandoned(proxy: FaultProxy, from: number, count?: number): Promise<void> {
  const done = (): boolean => {
    const inserts = proxy.requests.slice(from).filter((r) => r.insert);
    const gone = inserts.filter((r) => r.abandoned).length;
    return count === undefined ? inserts.length > 0 && gone === inserts.length : gone >= count;
  };
  await within(
    10_000,
    'aborted inserts reaching the proxy',
    (async () => {
      while (!done()) await sleep(10);
    })(),
  );
}

/** Whether `promise` has settled by the time the event loop has run for `ms` (the answer never depends on the wait being long). */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

describe('the delivery contract under the pipelined acknowledgement', () => {
  let store: ServedStore;
  let proxy: FaultProxy;

  beforeAll(async () => {
    store = await ServedStore.create();
    await store.start();
    proxy = await FaultProxy.start(store.url);
  });
  afterEach(() => {
    proxy.policy = () => ({ kind: 'pass' });
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await proxy?.close();
    await store?.dispose();
  });

  function tracerOver(processor: BatchSpanProcessor, service: string) {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [processor],
    });
    return { provider, tracer: provider.getTracer('ack') };
  }

  function endSpans(tracer: ReturnType<BasicTracerProvider['getTracer']>, count: number): { spans: number; llm: number } {
    let llm = 0;
    for (let i = 0; i < count; i++) {
      const isLlm = i % 10 === 9;
      if (isLlm) llm++;
      tracer
        .startSpan(isLlm ? 'chat gpt-4.1-mini' : `work ${i}`, { attributes: isLlm ? llmAttributes(i, 512) : { 'work.index': i } })
        .end();
    }
    return { spans: count, llm };
  }

  it('provider.forceFlush() with ClickHouseBatchSpanProcessor returns once the rows are stored: a query right after finds every one', async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url });
    await exporter.ready();
    const { provider, tracer } = tracerOver(new ClickHouseBatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 }), 'ack-flush');
    try {
      const inserts = gate(proxy);
      const handed = endSpans(tracer, 300);
      const flush = provider.forceFlush();
      // The exports are accepted (the span processor's part is done), the inserts held: not flushed yet.
      expect(await settledWithin(flush, 300)).toBe(false);
      expect(exporter.stats()).toMatchObject({ exportedSpans: 0, bufferedRows: handed.spans + handed.llm });
      inserts.open();
      await within(20_000, 'provider.forceFlush()', flush);
      const stored = await storedCounts(store.url, 'ack-flush');
      expect(stored).toEqual({ spans: handed.spans, distinctSpans: handed.spans, llmCalls: handed.llm, distinctLlmCalls: handed.llm });
      expect(exporter.stats()).toMatchObject({
        exportedSpans: handed.spans,
        exportedLlmCalls: handed.llm,
        bufferedRows: 0,
        failedExports: 0,
      });
      expect(totalDropped(exporter.stats())).toBe(0);
    } finally {
      await provider.shutdown();
    }
  });

  it("the SDK's own BatchSpanProcessor: provider.forceFlush() returns with the rows accepted, exporter.forceFlush() once they are stored", async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url });
    await exporter.ready();
    const { provider, tracer } = tracerOver(new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 }), 'ack-sdk-flush');
    try {
      const inserts = gate(proxy);
      const handed = endSpans(tracer, 200);
      await within(20_000, 'provider.forceFlush()', provider.forceFlush());
      expect(exporter.stats()).toMatchObject({ exportedSpans: 0, bufferedRows: handed.spans + handed.llm });
      expect((await storedCounts(store.url, 'ack-sdk-flush')).spans).toBe(0);
      inserts.open();
      await within(20_000, 'exporter.forceFlush()', exporter.forceFlush());
      expect(await storedCounts(store.url, 'ack-sdk-flush')).toMatchObject({ spans: handed.spans, llmCalls: handed.llm });
      expect(totalDropped(exporter.stats())).toBe(0);
    } finally {
      await provider.shutdown();
    }
  });

  it('a full buffer while the store works makes exports wait for room: nothing dropped, the bound held, every row stored', async () => {
    const maxBufferRows = 100;
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url, maxBufferRows });
    try {
      await exporter.ready();
      const inserts = gate(proxy);
      const batches = Array.from({ length: 5 }, () => scenarioSpans('ack-backpressure', 40, { llmEvery: 0 }));
      const results = batches.map((batch) => exportSpans(exporter, batch));
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, exporter.stats().bufferedRows)), 2);
      // Two exports of 40 rows fit the buffer of 100; the third and later wait for room.
      expect(await settledWithin(Promise.all(results.slice(0, 2)), 300)).toBe(true);
      expect(await settledWithin(results[2]!, 0)).toBe(false);
      expect(exporter.stats()).toMatchObject({ bufferedRows: 80, exportedSpans: 0 });
      inserts.open();
      const answers: ExportResult[] = await within(20_000, 'the exports', Promise.all(results));
      await within(20_000, 'forceFlush', exporter.forceFlush());
      clearInterval(sampler);
      const stats = exporter.stats();
      expect(answers.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
      expect(stats).toMatchObject({ exportedSpans: 200, bufferedRows: 0, retries: 0, failedExports: 0 });
      expect(totalDropped(stats)).toBe(0);
      expect(peak).toBeLessThanOrEqual(maxBufferRows);
      expect(await storedCounts(store.url, 'ack-backpressure')).toMatchObject({ spans: 200, distinctSpans: 200 });
    } finally {
      await exporter.shutdown();
    }
  });

  it('a store too slow for the stream: past the wait for room the oldest batch waiting for its insert is dropped as buffer_full, exactly counted', async () => {
    // Half the processor's export timeout: an export waits 500 ms for room.
    vi.stubEnv('OTEL_BSP_EXPORT_TIMEOUT', '1000');
    // One insert at a time: the second export's batch waits behind it in the buffer.
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url, maxBufferRows: 100, maxConcurrentInserts: 1 });
    try {
      await exporter.ready();
      const requestsBefore = proxy.requests.length;
      const inserts = gate(proxy);
      const batches = Array.from({ length: 3 }, () => scenarioSpans('ack-too-slow', 40, { llmEvery: 0 }));
      const answers = await within(20_000, 'the exports', Promise.all(batches.map((batch) => exportSpans(exporter, batch))));
      inserts.open();
      await within(20_000, 'forceFlush', exporter.forceFlush());
      const stats = exporter.stats();
      report(`too slow: ${JSON.stringify(stats)}`);
      expect(answers.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
      // The second batch made room for the third; the first (in flight) and the third are stored, the second never sent.
      expect(stats).toMatchObject({ exportedSpans: 80, bufferedRows: 0, failedExports: 1 });
      expect(stats.dropped.buffer_full).toBe(40);
      expect(totalDropped(stats)).toBe(40);
      expect(proxy.requests.slice(requestsBefore).filter((r) => r.insert)).toHaveLength(2);
      const ids = await storedSpanIds(store.url, 'ack-too-slow');
      expect(batches.map((batch) => batch.filter((span) => ids.has(span.spanContext().spanId)).length)).toEqual([40, 0, 40]);
    } finally {
      await exporter.shutdown();
    }
  });

  it('shutdown() with inserts in flight waits for them: every accepted row is stored', async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url, shutdownTimeoutMs: 20_000 });
    await exporter.ready();
    const inserts = gate(proxy);
    const batches = Array.from({ length: 3 }, () => scenarioSpans('ack-shutdown-in-flight', 50));
    const handed = batches.flat();
    const answers = await within(20_000, 'the exports', Promise.all(batches.map((batch) => exportSpans(exporter, batch))));
    expect(answers.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
    expect(exporter.stats()).toMatchObject({ exportedSpans: 0, bufferedRows: handed.length + llmCount(handed) });
    const shutdown = exporter.shutdown();
    expect(await settledWithin(shutdown, 200)).toBe(false);
    inserts.open();
    await within(30_000, 'shutdown', shutdown);
    const stats = exporter.stats();
    expect(stats).toMatchObject({ exportedSpans: handed.length, exportedLlmCalls: llmCount(handed), bufferedRows: 0 });
    expect(totalDropped(stats)).toBe(0);
    expect(await storedCounts(store.url, 'ack-shutdown-in-flight')).toMatchObject({
      spans: handed.length,
      distinctSpans: handed.length,
      llmCalls: llmCount(handed),
    });
  });

  it('shutdown() with inserts in flight that never finish: returns by shutdownTimeoutMs, every accepted row counted shutdown', async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url, shutdownTimeoutMs: 500 });
    await exporter.ready();
    const requestsBefore = proxy.requests.length;
    const inserts = gate(proxy);
    try {
      const batches = Array.from({ length: 3 }, () => scenarioSpans('ack-shutdown-stuck', 50));
      const handed = batches.flat();
      await within(20_000, 'the exports', Promise.all(batches.map((batch) => exportSpans(exporter, batch))));
      await within(20_000, 'shutdown', exporter.shutdown());
      const stats = exporter.stats();
      expect(stats).toMatchObject({ exportedSpans: 0, exportedLlmCalls: 0, bufferedRows: 0, failedExports: 3 });
      expect(stats.dropped.shutdown).toBe(handed.length + llmCount(handed));
      expect(totalDropped(stats)).toBe(handed.length + llmCount(handed));
      // The client let go of every insert it had sent: the proxy forwards none of them.
      await abandoned(proxy, requestsBefore);
    } finally {
      inserts.open();
    }
    expect((await storedCounts(store.url, 'ack-shutdown-stuck')).spans).toBe(0);
  });

  it('a 401 mid-stream (credentials rotated): stored before, counted permanent_failure after, no retries, the exports answered', async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url });
    await exporter.ready();
    let refuse = false;
    // What ClickHouse answers to a wrong password: HTTP 401 with its exception code.
    proxy.policy = ({ insert }) =>
      insert && refuse
        ? {
            kind: 'status',
            status: 401,
            headers: { 'X-ClickHouse-Exception-Code': '516' },
            body: 'Code: 516. DB::Exception: default: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED) (version 26.7.1.1)\n',
          }
        : { kind: 'pass' };
    try {
      const before = scenarioSpans('ack-401', 60);
      await exportSpans(exporter, before);
      await within(20_000, 'forceFlush', exporter.forceFlush());
      refuse = true;
      const after = [scenarioSpans('ack-401', 60), scenarioSpans('ack-401', 60)];
      const answers = await within(20_000, 'the exports', Promise.all(after.map((batch) => exportSpans(exporter, batch))));
      await within(20_000, 'forceFlush', exporter.forceFlush());
      const stats = exporter.stats();
      const refused = after.flat();
      expect(answers.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
      expect(stats).toMatchObject({ exportedSpans: before.length, exportedLlmCalls: llmCount(before), retries: 0, failedExports: 2 });
      expect(stats.dropped.permanent_failure).toBe(refused.length + llmCount(refused));
      expect(totalDropped(stats)).toBe(refused.length + llmCount(refused));
      expect(await storedCounts(store.url, 'ack-401')).toMatchObject({ spans: before.length, llmCalls: llmCount(before) });
    } finally {
      await exporter.shutdown();
    }
  });

  it(`cuts an export larger than ${MAX_INSERT_BYTES / 2 ** 20} MiB into inserts of at most that size, every row stored once`, async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url });
    await exporter.ready();
    const requestsBefore = proxy.requests.length;
    try {
      // 40 LLM calls with 1 MiB of input each (the default payload cap): about 40 MiB of llm_traces rows.
      const spans = scenarioSpans('ack-large', 40, { llmEvery: 1, payloadBytes: 1024 * 1024 - 512 });
      await exportSpans(exporter, spans);
      await within(60_000, 'forceFlush', exporter.forceFlush());
      const inserts = proxy.requests.slice(requestsBefore).filter((r) => r.table === 'llm_traces');
      report(`large export: ${JSON.stringify(inserts.map((r) => ({ rows: r.rows, bytes: r.bytes })))}`);
      expect(inserts.length).toBeGreaterThanOrEqual(3);
      expect(inserts.every((r) => r.bytes <= MAX_INSERT_BYTES && r.upstreamStatus === 200)).toBe(true);
      expect(inserts.reduce((sum, r) => sum + r.rows, 0)).toBe(40);
      expect(await storedCounts(store.url, 'ack-large')).toMatchObject({ spans: 40, llmCalls: 40, distinctLlmCalls: 40 });
      expect(totalDropped(exporter.stats())).toBe(0);
    } finally {
      await exporter.shutdown();
    }
  });
});
