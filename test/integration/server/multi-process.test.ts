/**
 * The reason for the server: one process owns the embedded store, and another process exports to
 * it over HTTP while the owner keeps reading it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../../../src/server/index.js';

const CHILD = fileURLToPath(new URL('./insert-over-http.child.mjs', import.meta.url));
const BATCHES = 20;
const BATCH_SIZE = 50;

let path: string;
let server: ClickHouseHttpServer;

beforeAll(async () => {
  path = mkdtempSync(join(tmpdir(), 'llm-traces-multiprocess-'));
  server = await startClickHouseHttpServer({ path, port: 0, user: 'exporter', password: 'pw' });
});

afterAll(async () => {
  await server.close();
  rmSync(path, { recursive: true, force: true });
});

it('stores what a second process inserts over HTTP while this process reads the same store', async () => {
  // This process reads through the server's own connection, as `llm-traces serve`'s reader would.
  const local = createClient({ connection: server.connection as never });
  await local.command({ query: 'CREATE TABLE spans (pid UInt32, batch UInt32, seq UInt32) ENGINE = MergeTree ORDER BY (pid, batch, seq)' });
  const count = async () =>
    Number(
      (await (await local.query({ query: 'SELECT toString(count()) AS n FROM spans', format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n,
    );

  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      CLICKHOUSE_URL: server.url,
      CLICKHOUSE_USER: 'exporter',
      CLICKHOUSE_PASSWORD: 'pw',
      BATCHES: String(BATCHES),
      BATCH_SIZE: String(BATCH_SIZE),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  let running = true;
  void exited.then(() => (running = false));
  const seen: number[] = [];
  while (running) {
    seen.push(await count());
  }

  expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: '' });
  const report = JSON.parse(stdout) as { pid: number; inserted: number };
  expect(report.pid).not.toBe(process.pid);
  expect(report.inserted).toBe(BATCHES * BATCH_SIZE);
  // Reads during the export only ever grow, by whole batches.
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  expect(seen.every((n) => n % BATCH_SIZE === 0)).toBe(true);

  const rows = await (
    await local.query({
      query: 'SELECT pid, toString(count()) AS n, toString(uniqExact(batch, seq)) AS distinct_rows FROM spans GROUP BY pid',
      format: 'JSONEachRow',
    })
  ).json();
  expect(rows).toEqual([{ pid: report.pid, n: String(BATCHES * BATCH_SIZE), distinct_rows: String(BATCHES * BATCH_SIZE) }]);
});
