/**
 * Every row accepted is stored or counted as dropped with its reason, whatever happens to the
 * store, when the app shuts the SDK down the documented way (`provider.shutdown()` on a
 * BatchSpanProcessor): it resolves, never rejects into the app, and the counts are exact. In
 * embedded mode (chDB in this process) and through `llm-traces serve`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { resolveConfig } from '../../../src/config/config.js';
import { ensureSchema } from '../../../src/schema/migrate.js';
import { openClient } from '../../../src/store/connection.js';
import type { ClickHouseClient } from '@clickhouse/client';
import { FaultProxy } from './fault-proxy.js';
import { ServedStore, captureDiag, llmAttributes, storedCounts, totalDropped, within, type DiagLine } from './harness.js';

const REFUSED_MODEL = 'refused-by-constraint';

/** A CHECK constraint the engine enforces on insert: the one row naming REFUSED_MODEL is refused (VIOLATED_CONSTRAINT). */
async function refuseOneModel(client: ClickHouseClient): Promise<void> {
  await ensureSchema(client, resolveConfig({ client }));
  await client.command({
    query: `ALTER TABLE otel.llm_traces ADD CONSTRAINT refuse_one CHECK request_model != '${REFUSED_MODEL}'`,
  });
}

/** The documented set-up: a provider with a BatchSpanProcessor over the exporter. */
function providerFor(exporter: ClickHouseTraceExporter, service: string): BasicTracerProvider {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000, maxExportBatchSize: 4096, maxQueueSize: 16_384 })],
  });
}

/** Ends `llm` LLM spans (one of them `refused` when asked) and `plain` other spans. */
function endSpans(provider: BasicTracerProvider, { llm, plain, refused = false }: { llm: number; plain: number; refused?: boolean }): void {
  const tracer = provider.getTracer('accounting');
  for (let i = 0; i < llm; i++) {
    const attributes = llmAttributes(i, 256);
    if (refused && i === 0) attributes['gen_ai.request.model'] = REFUSED_MODEL;
    tracer.startSpan('chat', { attributes }).end();
  }
  for (let i = 0; i < plain; i++) tracer.startSpan(`work ${i}`, { attributes: { 'work.index': i } }).end();
}

/** provider.shutdown() settles: 'resolved', or the rejection's message. */
async function shutdownOutcome(provider: BasicTracerProvider, ms: number): Promise<string> {
  return within(
    ms,
    'provider.shutdown()',
    provider.shutdown().then(
      () => 'resolved',
      (error: unknown) => `rejected: ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
}

/** 51 calls, one of them refused by the engine, through provider.shutdown(): the exact counts. */
async function refusedRowCostsOnlyItself(exporter: ClickHouseTraceExporter, service: string): Promise<void> {
  const provider = providerFor(exporter, service);
  endSpans(provider, { llm: 51, plain: 0, refused: true });
  expect(await shutdownOutcome(provider, 30_000)).toBe('resolved');
  const stats = exporter.stats();
  expect(stats).toMatchObject({ exportedSpans: 51, exportedLlmCalls: 50, retries: 0, bufferedRows: 0 });
  expect(stats.dropped.invalid_row).toBe(1);
  expect(totalDropped(stats)).toBe(1);
}

describe('provider.shutdown() in embedded mode', () => {
  let path: string;
  beforeAll(async () => {
    path = mkdtempSync(join(tmpdir(), 'llm-traces-accounting-'));
    const opened = await openClient({ kind: 'embedded', path });
    await refuseOneModel(opened.client);
    await opened.close();
  });
  afterAll(() => rmSync(path, { recursive: true, force: true }));

  it('a row the engine refuses costs only itself: the batch is split, 50 calls stored, 1 counted invalid_row', async () => {
    await refusedRowCostsOnlyItself(new ClickHouseTraceExporter({ path, retryBudgetMs: 5_000 }), 'embedded-refused');

    const opened = await openClient({ kind: 'embedded', path });
    try {
      const [row] = await (
        await opened.client.query({
          query: `SELECT
                    (SELECT count() FROM otel.otel_traces WHERE ServiceName = 'embedded-refused') AS spans,
                    (SELECT count() FROM otel.llm_traces WHERE service_name = 'embedded-refused') AS calls,
                    (SELECT count() FROM otel.llm_traces WHERE request_model = {model:String}) AS refused`,
          query_params: { model: REFUSED_MODEL },
          format: 'JSONEachRow',
        })
      ).json<Record<string, string | number>>();
      expect({ spans: Number(row!.spans), calls: Number(row!.calls), refused: Number(row!.refused) }).toEqual({
        spans: 51,
        calls: 50,
        refused: 0,
      });
    } finally {
      await opened.close();
    }
  });

  it('50 good calls and one reporting 1e300 input tokens (and one 1e20): all 52 stored, the two usages unknown, never wrapped', async () => {
    const { lines, stop } = captureDiag();
    try {
      const exporter = new ClickHouseTraceExporter({ path, retryBudgetMs: 5_000 });
      const provider = providerFor(exporter, 'embedded-absurd');
      const tracer = provider.getTracer('accounting');
      for (let i = 0; i < 50; i++) tracer.startSpan('chat', { attributes: llmAttributes(i, 64) }).end();
      for (const tokens of [1e300, 1e20])
        tracer
          .startSpan('chat', {
            attributes: { ...llmAttributes(0, 64), 'gen_ai.usage.input_tokens': tokens, 'gen_ai.request.model': `absurd-${tokens}` },
          })
          .end();
      expect(await shutdownOutcome(provider, 30_000)).toBe('resolved');
      const stats = exporter.stats();
      expect(stats).toMatchObject({ exportedSpans: 52, exportedLlmCalls: 52, retries: 0, droppedValues: 2 });
      expect(totalDropped(stats)).toBe(0);
      const warnings = lines.filter((l) => l.level === 'warn' && l.text.includes('prompt_tokens'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.text).toContain('prompt_tokens = 1e+300');

      const opened = await openClient({ kind: 'embedded', path });
      try {
        const rows = await (
          await opened.client.query({
            query: `SELECT request_model, has_usage, toString(prompt_tokens) AS prompt_tokens, toString(total_tokens) AS total_tokens
                    FROM otel.llm_traces WHERE request_model LIKE 'absurd-%' ORDER BY request_model`,
            format: 'JSONEachRow',
          })
        ).json();
        expect(rows).toEqual([
          { request_model: 'absurd-100000000000000000000', has_usage: false, prompt_tokens: '0', total_tokens: '0' },
          { request_model: 'absurd-1e+300', has_usage: false, prompt_tokens: '0', total_tokens: '0' },
        ]);
      } finally {
        await opened.close();
      }
    } finally {
      stop();
    }
  });
});

describe('provider.shutdown() through llm-traces serve', () => {
  let store: ServedStore;
  let diagLines: DiagLine[];
  let stopDiag: () => void;

  beforeAll(async () => {
    ({ lines: diagLines, stop: stopDiag } = captureDiag());
    store = await ServedStore.create();
    // serve takes no DDL from clients: the constraint is added to the store before serve opens it.
    const opened = await openClient({ kind: 'embedded', path: store.path });
    try {
      await refuseOneModel(opened.client);
    } finally {
      await opened.close();
    }
    await store.start();
  });
  afterAll(async () => {
    stopDiag();
    await store?.dispose();
  });

  it('refusing one row: 50 calls stored, 1 counted invalid_row, every span stored', async () => {
    await refusedRowCostsOnlyItself(new ClickHouseTraceExporter({ endpoint: store.url, retryBudgetMs: 5_000 }), 'served-refused');
    expect(await storedCounts(store.url, 'served-refused')).toEqual({ spans: 51, distinctSpans: 51, llmCalls: 50, distinctLlmCalls: 50 });
  });

  it('store down: resolves within the export wait plus shutdownTimeoutMs; all 110 rows counted shutdown', async () => {
    const down = await ServedStore.create();
    const exporter = new ClickHouseTraceExporter({ endpoint: down.url, shutdownTimeoutMs: 1_000 });
    const provider = providerFor(exporter, 'served-down');
    endSpans(provider, { llm: 10, plain: 90 });
    const started = Date.now();
    expect(await shutdownOutcome(provider, 30_000)).toBe('resolved');
    const elapsedMs = Date.now() - started;
    const stats = exporter.stats()!;
    expect(stats).toMatchObject({ exportedSpans: 0, exportedLlmCalls: 0, bufferedRows: 0, bufferedBytes: 0 });
    expect(stats.dropped.shutdown).toBe(110);
    expect(totalDropped(stats)).toBe(110);
    expect(elapsedMs).toBeLessThan(5_000 + 1_000 + 2_000);
    await down.dispose();
  });

  it('a store that never answers (slower than every timeout): resolves, all 110 rows counted shutdown', async () => {
    const proxy = await FaultProxy.start(store.url);
    proxy.policy = ({ insert }) => (insert ? { kind: 'hang' } : { kind: 'pass' });
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url, timeoutMs: 60_000, shutdownTimeoutMs: 1_000 });
    try {
      await exporter.ready();
      const provider = providerFor(exporter, 'served-hang');
      endSpans(provider, { llm: 10, plain: 90 });
      expect(await shutdownOutcome(provider, 30_000)).toBe('resolved');
      const stats = exporter.stats()!;
      expect(stats).toMatchObject({ exportedSpans: 0, exportedLlmCalls: 0, bufferedRows: 0, bufferedBytes: 0 });
      expect(stats.dropped.shutdown).toBe(110);
      expect(totalDropped(stats)).toBe(110);
      expect(await storedCounts(store.url, 'served-hang')).toMatchObject({ spans: 0, llmCalls: 0 });
    } finally {
      await proxy.close();
    }
  });

  it('a slow store (each insert answered after 1.5 s): resolves with all 110 rows stored, none dropped', async () => {
    const proxy = await FaultProxy.start(store.url);
    proxy.policy = ({ insert }) => (insert ? { kind: 'delay', ms: 1_500 } : { kind: 'pass' });
    const exporter = new ClickHouseTraceExporter({ endpoint: proxy.url });
    try {
      const provider = providerFor(exporter, 'served-slow');
      endSpans(provider, { llm: 10, plain: 90 });
      expect(await shutdownOutcome(provider, 30_000)).toBe('resolved');
      const stats = exporter.stats()!;
      expect(stats).toMatchObject({ exportedSpans: 100, exportedLlmCalls: 10, bufferedRows: 0 });
      expect(totalDropped(stats)).toBe(0);
      expect(await storedCounts(store.url, 'served-slow')).toEqual({ spans: 100, distinctSpans: 100, llmCalls: 10, distinctLlmCalls: 10 });
    } finally {
      await proxy.close();
    }
  });

  it('a wrong password: resolves (no DeliveryError into the app), rows counted permanent_failure, one error line with the fix', async () => {
    const secured = await ServedStore.create({ user: 'dev', password: 'right-one' });
    await secured.start();
    const before = diagLines.length;
    const exporter = new ClickHouseTraceExporter({ endpoint: secured.url, username: 'dev', password: 'wrong-one' });
    try {
      const provider = providerFor(exporter, 'served-auth');
      endSpans(provider, { llm: 10, plain: 90 });
      expect(await shutdownOutcome(provider, 30_000)).toBe('resolved');
      const stats = exporter.stats()!;
      expect(stats.dropped.permanent_failure).toBe(110);
      expect(totalDropped(stats)).toBe(110);
      const errors = diagLines.slice(before).filter((l) => l.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.text).toContain('AUTHENTICATION_FAILED');
      expect(errors[0]!.text).toContain('OTEL_EXPORTER_CLICKHOUSE_PASSWORD');
    } finally {
      await secured.dispose();
    }
  });
});
