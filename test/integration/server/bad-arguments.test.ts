/**
 * Arguments the engine could not take get a 400 (the CLI: exit code 2) that names the argument,
 * never a 500 or the engine's own text: dates past year 9999 or that do not exist, an unknown
 * database, and text longer than a query parameter can carry to `serve`.
 */
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { LlmTraceReader, ReaderArgumentError } from '../../../src/reader/index.js';
import { ServedStore } from '../faults/harness.js';
import { runCli } from '../../support/serve-process.js';

describe('bad arguments through llm-traces serve', () => {
  let store: ServedStore;
  beforeAll(async () => {
    store = await ServedStore.create();
    await store.start();
    const exporter = new ClickHouseTraceExporter({ endpoint: store.url });
    await exporter.ready();
    await exporter.shutdown();
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const get = async (path: string) => {
    const response = await fetch(`${store.url}${path}`);
    return { status: response.status, text: await response.text() };
  };

  it.each([
    ['/api/usage?start=253402300800000', 'start'],
    ['/api/usage?end=2026-02-30', 'end'],
    ['/api/v1/calls?start=253402300800000', 'start'],
    ['/api/v1/calls/totals?end=2026-02-30', 'end'],
  ])('GET %s answers 400 naming %s', async (path, argument) => {
    const answer = await get(path);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain(argument);
    expect(answer.text).not.toMatch(/internal error|DB::Exception|in scope/);
  });

  it('the reader refuses 300 KiB of agent id before any query, naming it', async () => {
    const client = createClient({ url: store.url });
    try {
      const reader = new LlmTraceReader({ client, organizationId: '' });
      const error = await reader.listByAgent('a'.repeat(300 * 1024)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ReaderArgumentError);
      expect((error as ReaderArgumentError).argument).toBe('agentId');
    } finally {
      await client.close();
    }
  });

  it('CLI: a date that does not exist exits 2 naming the flag', async () => {
    const run = await runCli(['stats', '--endpoint', store.url, '--start', '2026-02-30']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--start');
  });

  it('CLI: a date past what the engine holds exits 2 naming the flag', async () => {
    const run = await runCli(['list', '--endpoint', store.url, '--end', '253402300800000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--end');
  });

  it('CLI: an unknown database exits 2 naming it, without the engine statement', async () => {
    const run = await runCli(['list', '--endpoint', store.url, '--database', 'no_such_db']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("'no_such_db'");
    expect(run.stderr).toContain('--database');
    expect(run.stderr).not.toMatch(/in scope|SELECT|DB::Exception/);
  });
});
