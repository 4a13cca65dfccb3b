import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../../support/serve-process.js';

const run = promisify(execFile);
const APP = new URL('../../fixtures/apps/export-over-http.mjs', import.meta.url).pathname;

function exportFrom(url: string, label: string, count: number, env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [APP, label, String(count)], {
    env: { ...process.env, OTEL_EXPORTER_CLICKHOUSE_ENDPOINT: url, ...env },
    timeout: 60_000,
  });
}

describe('llm-traces serve (child process) with the official client and the exporter over HTTP', () => {
  const path = mkdtempSync(join(tmpdir(), 'llm-traces-serve-'));
  let serve: ServeProcess;

  beforeAll(async () => {
    serve = await startServe(['--path', path, '--user', 'dev', '--password', 'dev-secret']);
  });
  afterAll(async () => {
    await serve?.stop();
    rmSync(path, { recursive: true, force: true });
  });

  it('takes exports from two processes at once and every span reads back', async () => {
    const env = { OTEL_EXPORTER_CLICKHOUSE_USERNAME: 'dev', OTEL_EXPORTER_CLICKHOUSE_PASSWORD: 'dev-secret' };
    await Promise.all([exportFrom(serve.url, 'worker-a', 120, env), exportFrom(serve.url, 'worker-b', 80, env)]);
    const client = createClient({ url: serve.url, username: 'dev', password: 'dev-secret', log: { level: ClickHouseLogLevel.OFF } });
    try {
      const rows = await (
        await client.query({
          query: 'SELECT agent_id, count() AS calls, sum(prompt_tokens) AS tokens FROM otel.llm_traces GROUP BY agent_id ORDER BY agent_id',
          format: 'JSONEachRow',
        })
      ).json();
      // prompt tokens are 0..n-1 per worker
      expect(rows).toEqual([
        { agent_id: 'worker-a', calls: '120', tokens: String((119 * 120) / 2) },
        { agent_id: 'worker-b', calls: '80', tokens: String((79 * 80) / 2) },
      ]);
      const [spans] = await (
        await client.query({ query: 'SELECT count() AS n FROM otel.otel_traces', format: 'JSONEachRow' })
      ).json<{ n: string }>();
      expect(spans!.n).toBe('200');
    } finally {
      await client.close();
    }
  });

  it('raises the typed ClickHouse errors for a bad query and for bad credentials', async () => {
    const client = createClient({ url: serve.url, username: 'dev', password: 'dev-secret', log: { level: ClickHouseLogLevel.OFF } });
    await expect(client.query({ query: 'SELEC 1' })).rejects.toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });
    await expect(client.query({ query: 'SELECT * FROM otel.nope' })).rejects.toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    await client.close();
    const intruder = createClient({ url: serve.url, username: 'dev', password: 'wrong', log: { level: ClickHouseLogLevel.OFF } });
    const refused = await intruder.query({ query: 'SELECT 1' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' });
    expect(String((refused as Error).message)).not.toContain('dev-secret');
    await intruder.close();
  });

  it('answers the JSON API for the requested organization, with 400 and 404 where due', async () => {
    const auth = { authorization: `Basic ${Buffer.from('dev:dev-secret').toString('base64')}` };
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${serve.url}${path}`, { headers: { ...auth, ...headers } });
      return { status: response.status, body: (await response.json()) as any };
    };
    const list = await get('/api/llm-traces?agent_id=worker-b&limit=5');
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(5);
    expect(list.body[0]).toMatchObject({ agentId: 'worker-b', model: 'gpt-4.1-mini', provider: 'openai' });
    const one = await get(`/api/llm-traces/${list.body[0].id}`);
    expect(one).toMatchObject({ status: 200, body: { id: list.body[0].id, stepId: list.body[0].stepId } });
    const step = await get('/api/steps/worker-a-7/llm-trace');
    expect(step).toMatchObject({ status: 200, body: { stepId: 'worker-a-7', promptTokens: 7 } });
    const usage = await get('/api/usage?group_by=agent_id');
    expect(usage.body.map((row: any) => [row.key, row.requestCount])).toEqual([
      ['worker-a', 120],
      ['worker-b', 80],
    ]);
    const trace = await get(`/api/traces/${one.body.traceId}`);
    expect(trace.status).toBe(200);
    expect(trace.body.spans.map((s: any) => s.spanId)).toContain(one.body.spanId);
    expect(await get('/api/usage?group_by=secret_column')).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('group_by') },
    });
    expect(await get('/api/llm-traces?limit=-1')).toMatchObject({ status: 400, body: { error: expect.stringContaining('limit') } });
    expect(await get('/api/llm-traces?limit=99999')).toMatchObject({ status: 400, body: { error: expect.stringContaining('limit') } });
    expect(await get('/api/llm-traces?agnet_id=x')).toMatchObject({ status: 400, body: { error: expect.stringContaining("'agnet_id'") } });
    expect(await get('/api/llm-traces/does-not-exist')).toMatchObject({ status: 404 });
    expect(await get('/api/runs/no-such-run/trace')).toMatchObject({ status: 404 });
    // Another organization sees none of the default organization's calls.
    expect(await get('/api/llm-traces?agent_id=worker-b', { 'x-organization-id': 'org-b' })).toEqual({ status: 200, body: [] });
    expect(await get(`/api/llm-traces/${list.body[0].id}?organization_id=org-b`)).toMatchObject({ status: 404 });
    const unauthenticated = await fetch(`${serve.url}/api/usage`);
    expect(unauthenticated.status).toBe(403);
  });
});

describe('llm-traces serve lifecycle', () => {
  it('keeps every acknowledged row through SIGTERM during a stream of inserts, and after a restart', async () => {
    const path = mkdtempSync(join(tmpdir(), 'llm-traces-sigterm-'));
    try {
      const first = await startServe(['--path', path]);
      const app = spawn(process.execPath, [APP, 'stream', '400', '20'], {
        env: {
          ...process.env,
          OTEL_EXPORTER_CLICKHOUSE_ENDPOINT: first.url,
          OTEL_EXPORTER_CLICKHOUSE_RETRY_BUDGET: '1000',
          OTEL_EXPORTER_CLICKHOUSE_SHUTDOWN_TIMEOUT: '1000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let acked = 0;
      let appOutput = '';
      app.stdout.on('data', (chunk: Buffer) => {
        appOutput += chunk.toString();
        for (const match of chunk.toString().matchAll(/acked (\d+)/g)) acked = Number(match[1]);
      });
      const appExited = new Promise<void>((resolve) => app.once('exit', () => resolve()));
      app.stderr.on('data', (chunk: Buffer) => (appOutput += chunk.toString()));
      await Promise.race([
        appExited,
        new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (acked >= 100) {
              clearInterval(poll);
              resolve();
            }
          }, 5);
        }),
      ]);
      expect(acked, appOutput).toBeGreaterThanOrEqual(100);
      expect(await first.stop('SIGTERM')).toBe(0);
      await appExited;
      const ackedAtStop = acked;
      expect(ackedAtStop).toBeGreaterThanOrEqual(100);

      const second = await startServe(['--path', path]);
      const client = createClient({ url: second.url });
      const [row] = await (
        await client.query({ query: "SELECT count() AS n FROM otel.llm_traces WHERE agent_id = 'stream'", format: 'JSONEachRow' })
      ).json<{ n: string }>();
      await client.close();
      expect(await second.stop('SIGINT')).toBe(0);
      // Every row is stored or counted as dropped; every row counted as stored is there, none twice.
      const stats = JSON.parse(/stats (\{.*\})/.exec(appOutput)?.[1] ?? 'null') as {
        exportedSpans: number;
        exportedLlmCalls: number;
        dropped: Record<string, number>;
      } | null;
      expect(stats, appOutput).not.toBeNull();
      const dropped = Object.values(stats!.dropped).reduce((sum, n) => sum + n, 0);
      expect(stats!.exportedSpans + stats!.exportedLlmCalls + dropped, appOutput).toBe(400 * 2);
      expect(Number(row!.n)).toBeGreaterThanOrEqual(stats!.exportedLlmCalls);
      expect(Number(row!.n)).toBeLessThanOrEqual(400);
      expect(appOutput).toContain('acked');
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });

  it('refuses to listen on a non-loopback address without credentials', async () => {
    const path = mkdtempSync(join(tmpdir(), 'llm-traces-open-'));
    try {
      const result = await run(process.execPath, [
        new URL('../../../dist/cli/main.js', import.meta.url).pathname,
        'serve',
        '--path',
        path,
        '--host',
        '0.0.0.0',
        '--port',
        '0',
      ]).catch((error: { code: number; stderr: string }) => error);
      expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/password/i) });
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });
});
