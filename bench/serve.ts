/**
 * Section 8: `llm-traces serve` under abusive clients, as a child process (so its memory is its
 * own): how long an ordinary `SELECT 1` takes while 32 uploads stall (twice the 16 query slots),
 * while one connection pipelines 32 slow statements, how much memory a 200 MB body costs and a
 * refused 400 MB one, and how soon a statement whose client hung up frees its slot. Needs
 * `npm run build` (the CLI in dist/).
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as connectSocket, type Socket } from 'node:net';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { startServe, type ServeProcess } from '../test/support/serve-process.js';
import { progress, sized, type BenchOptions } from './options.js';
import type { Figure, SectionResult } from './report.js';
import { median } from './stats.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

const MIB = 1024 ** 2;

export async function measureServe(options: BenchOptions): Promise<SectionResult> {
  const probes = sized(options, 10, 40);
  const path = makeTempDir('serve');
  const figures: Figure[] = [];
  let serve: ServeProcess | undefined;
  try {
    serve = await startServe(['--path', path]);
    const client = quiet(serve.url);
    await client.command({ query: 'CREATE TABLE IF NOT EXISTS default.blob (s String) ENGINE = MergeTree ORDER BY tuple()' });
    figures.push({ label: 'SELECT 1, idle server (median)', value: await probeMs(client, probes), unit: 'ms' });

    progress('serve: 32 stalled uploads');
    const stalled = Array.from({ length: 32 }, () => stallUpload(serve!.url));
    await sleep(300);
    figures.push({ label: 'SELECT 1 while 32 uploads stall (median; 16 slots)', value: await probeMs(client, probes), unit: 'ms' });
    for (const upload of stalled) upload.destroy();

    progress('serve: one connection pipelining 32 slow statements');
    const pipelined = pipeline(serve.url, 'SELECT sleepEachRow(0.1) FROM numbers(10) FORMAT Null', 32);
    await sleep(300);
    figures.push({
      label: 'SELECT 1 while one connection pipelines 32 slow statements (median)',
      value: await probeMs(client, probes),
      unit: 'ms',
    });
    pipelined.destroy();

    const pid = serve.child.pid!;
    const before = memory(pid);
    progress('serve: a 200 MB insert body');
    const row = `${JSON.stringify({ s: 'x'.repeat(1000) })}\n`;
    const started = performance.now();
    await postBody(serve.url, 'INSERT INTO default.blob FORMAT JSONEachRow', row.repeat(Math.floor((200 * MIB) / row.length)));
    const insertMs = performance.now() - started;
    const afterBody = memory(pid);
    figures.push({ label: 'serve RSS at rest', value: before.rss / MIB, unit: 'MiB', digits: 0 });
    figures.push({
      label: 'serve peak RSS during a 200 MB insert body',
      value: afterBody.peak / MIB,
      unit: 'MiB',
      digits: 0,
      note: `stored in ${(insertMs / 1000).toFixed(1)} s`,
    });
    const refused = await postBody(serve.url, 'INSERT INTO default.blob FORMAT JSONEachRow', undefined, 400 * MIB);
    figures.push({
      label: 'serve peak RSS after a 400 MB body is refused (over the 256 MiB limit)',
      value: memory(pid).peak / MIB,
      unit: 'MiB',
      digits: 0,
      note: `answered ${refused}`,
    });
    await client.close();
    await serve.stop();

    progress('serve: a hung-up statement on a one-slot server');
    serve = await startServe(['--path', path, '--max-concurrent-queries', '1']);
    const one = quiet(serve.url);
    const abort = new AbortController();
    const slow = one.command({
      query: 'SELECT sleepEachRow(0.5) FROM numbers(100000) FORMAT Null',
      clickhouse_settings: { max_block_size: '1' },
      abort_signal: abort.signal,
    });
    slow.catch(() => undefined);
    await sleep(500);
    abort.abort();
    const aborted = performance.now();
    while (!(await one.ping()).success || !(await selectOne(one))) await sleep(20);
    figures.push({
      label: 'slot free again after its client hung up (statement would run for hours)',
      value: performance.now() - aborted,
      unit: 'ms',
      digits: 0,
    });
    await one.close();
  } finally {
    await serve?.stop();
    removeTempDir(path);
  }
  return {
    id: 'serve',
    tables: [
      {
        title: 'llm-traces serve with abusive clients (defaults: 16 slots, 256 MiB body limit, 10 s headers / 30 s request time-outs)',
        figures,
      },
    ],
    notes: [
      'Each SELECT 1 is a new request from @clickhouse/client over a kept-alive connection; the stalled uploads send their headers and one row, then nothing.',
      'RSS and peak RSS are the serve process’s VmRSS and VmHWM (Linux /proc), chDB included.',
    ],
  };
}

function quiet(url: string): ClickHouseClient {
  return createClient({ url, log: { level: ClickHouseLogLevel.OFF }, request_timeout: 120_000 });
}

async function selectOne(client: ClickHouseClient): Promise<boolean> {
  return client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then(
    async (result) => (await result.json()).length === 1,
    () => false,
  );
}

async function probeMs(client: ClickHouseClient, count: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    if (!(await selectOne(client))) throw new Error('SELECT 1 was refused: a slow client took the server');
    times.push(performance.now() - started);
  }
  return median(times);
}

function stallUpload(url: string): { destroy(): void } {
  const request = httpRequest(`${url}/?query=${encodeURIComponent('INSERT INTO default.blob FORMAT JSONEachRow')}`, {
    method: 'POST',
    headers: { 'Transfer-Encoding': 'chunked' },
  });
  request.on('error', () => undefined);
  request.write('{"s":"a"}\n');
  request.flushHeaders();
  return { destroy: () => request.destroy() };
}

function pipeline(url: string, statement: string, count: number): Socket {
  const { hostname, port } = new URL(url);
  const request = `POST / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: ${Buffer.byteLength(statement)}\r\n\r\n${statement}`;
  const socket = connectSocket(Number(port), hostname, () => socket.write(request.repeat(count)));
  socket.on('error', () => undefined);
  socket.resume();
  return socket;
}

/** Posts `body` (or announces `declaredBytes` and sends nothing) and resolves to the status line. */
function postBody(url: string, query: string, body: string | undefined, declaredBytes?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/?query=${encodeURIComponent(query)}`, {
      method: 'POST',
      headers: { 'Content-Length': String(declaredBytes ?? Buffer.byteLength(body!)) },
    });
    request.once('response', (response) => {
      const status = `HTTP ${response.statusCode} (${String(response.headers['x-clickhouse-exception-code'] ?? 'ok')})`;
      response.resume();
      response.once('end', () => {
        // A refused body is never sent: the request is dropped once it is answered.
        if (body === undefined) request.destroy();
        resolve(status);
      });
    });
    request.on('error', (error) => (body === undefined ? undefined : reject(error)));
    if (body !== undefined) request.end(body);
    else request.flushHeaders();
  });
}

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
