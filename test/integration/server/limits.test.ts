/**
 * A slow, greedy or vanished client never stops the server serving the others: uploads in
 * progress hold no slot, one connection's pipelined statements take one slot at a time, slow
 * headers and bodies are cut off in seconds, a statement stops when its client goes away, and
 * every statement runs under the server's time and memory limits. (The figures are in the
 * benchmark's serve section; these tests assert behaviour only.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as connectSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../../../src/server/index.js';

let path: string;

beforeAll(() => {
  path = mkdtempSync(join(tmpdir(), 'llm-traces-limits-'));
});

afterAll(() => {
  rmSync(path, { recursive: true, force: true });
});

function client(server: ClickHouseHttpServer): ClickHouseClient {
  return createClient({ url: server.url, log: { level: ClickHouseLogLevel.OFF }, request_timeout: 60_000 });
}

async function one(target: ClickHouseClient): Promise<unknown> {
  return (await (await target.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json())[0];
}

async function failure(promise: Promise<unknown>): Promise<ClickHouseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClickHouseError) return error;
    throw error;
  }
  throw new Error('expected the statement to be refused');
}

async function withServer(
  options: Partial<Parameters<typeof startClickHouseHttpServer>[0]>,
  work: (server: ClickHouseHttpServer) => Promise<void>,
) {
  const server = await startClickHouseHttpServer({ path, port: 0, ...options });
  try {
    await work(server);
  } finally {
    await server.close();
  }
}

/** An upload that sends its headers and one row, then stalls. */
function stalledUpload(url: string): { settled: Promise<string> } {
  const request = httpRequest(`${url}/?query=${encodeURIComponent('INSERT INTO stalled (a) FORMAT JSONEachRow')}`, {
    method: 'POST',
    headers: { 'Transfer-Encoding': 'chunked' },
  });
  const settled = new Promise<string>((resolve) => {
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(`answered ${response.statusCode}`));
    });
    request.on('error', () => resolve('closed'));
  });
  request.write('{"a":1}\n');
  request.flushHeaders();
  return { settled };
}

describe('slow and greedy clients', () => {
  it('twenty stalled uploads hold no slot of four, and are cut off by the request time-out', async () => {
    await withServer({ maxConcurrentQueries: 4, requestTimeoutSeconds: 2 }, async (server) => {
      const probe = client(server);
      try {
        const uploads = Array.from({ length: 20 }, () => stalledUpload(server.url));
        await new Promise((resolve) => setTimeout(resolve, 200));
        for (let i = 0; i < 8; i++) expect(await one(probe)).toEqual({ one: 1 });
        const outcomes = await Promise.all(uploads.map((upload) => upload.settled));
        // Node answers a request that outlived requestTimeout with 408 and closes the socket.
        expect(new Set(outcomes)).toEqual(new Set(['answered 408']));
        expect(await one(probe)).toEqual({ one: 1 });
      } finally {
        await probe.close();
      }
    });
  });

  it('a socket that never finishes its headers is closed by the headers time-out', async () => {
    await withServer({ headersTimeoutSeconds: 1 }, async (server) => {
      const { port } = new URL(server.url);
      const started = Date.now();
      const closed = await new Promise<string>((resolve) => {
        const socket = connectSocket(Number(port), '127.0.0.1', () => socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer.split('\r\n')[0]!));
        socket.on('error', () => undefined);
      });
      expect(closed).toBe('HTTP/1.1 408 Request Timeout');
      // Node checks the time-out once a second: closed in seconds, not minutes.
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  });

  it('one connection pipelining slow statements takes one slot at a time; others are still served', async () => {
    await withServer({ maxConcurrentQueries: 2 }, async (server) => {
      const { port } = new URL(server.url);
      const statement = 'SELECT sleepEachRow(0.25) FROM numbers(4) FORMAT Null';
      const request = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: ${statement.length}\r\n\r\n${statement}`;
      const responses = new Promise<number>((resolve) => {
        const socket = connectSocket(Number(port), '127.0.0.1', () => socket.write(request.repeat(4)));
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk.toString();
          const answered = text.split('HTTP/1.1 200 OK').length - 1;
          if (answered === 4) {
            socket.destroy();
            resolve(answered);
          }
        });
      });
      const probe = client(server);
      try {
        // While the pipelined statements run (about 4 s in all), a slot stays free for everyone else.
        for (let i = 0; i < 10; i++) {
          expect(await one(probe)).toEqual({ one: 1 });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(await responses).toBe(4);
      } finally {
        await probe.close();
      }
    });
  });
});

describe('limits on every statement', () => {
  it('stops a statement whose client went away, and frees its slot', async () => {
    await withServer({ maxConcurrentQueries: 1 }, async (server) => {
      const abort = new AbortController();
      const slow = client(server);
      const probe = client(server);
      try {
        // One row per block, so the engine's 3 s cap on one block's sleep never ends it: it would run for hours.
        const running = slow.command({
          query: 'SELECT sleepEachRow(0.5) FROM numbers(100000) FORMAT Null',
          clickhouse_settings: { max_block_size: '1' },
          abort_signal: abort.signal,
        });
        running.catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect((await failure(one(probe))).type).toBe('TOO_MANY_SIMULTANEOUS_QUERIES');
        abort.abort();
        // The slot is free again once the engine has killed the statement.
        const started = Date.now();
        let answered: unknown;
        while (answered === undefined && Date.now() - started < 20_000) {
          answered = await one(probe).catch(() => new Promise((resolve) => setTimeout(() => resolve(undefined), 100)));
        }
        expect(answered).toEqual({ one: 1 });
        const local = createClient({ connection: server.connection as never });
        const processes = await (
          await local.query({
            query:
              "SELECT toString(count()) AS n FROM system.processes WHERE query LIKE '%numbers(100000)%' AND query NOT LIKE '%system.processes%'",
            format: 'JSONEachRow',
          })
        ).json();
        expect(processes).toEqual([{ n: '0' }]);
      } finally {
        await slow.close();
        await probe.close();
      }
    });
  });

  it('ends a statement at the server time limit and refuses one over its memory limit', async () => {
    await withServer({ maxQuerySeconds: 1, maxQueryMemoryBytes: 64 * 1024 ** 2 }, async (server) => {
      const target = client(server);
      try {
        const slowly = { query: 'SELECT sleepEachRow(0.5) FROM numbers(10) FORMAT Null', clickhouse_settings: { max_block_size: '1' } };
        // The engine ends it at the limit (TIMEOUT_EXCEEDED) or as soon as it estimates it will pass it (TOO_SLOW).
        const timeLimit = ['TIMEOUT_EXCEEDED', 'TOO_SLOW'];
        expect(timeLimit).toContain((await failure(target.command(slowly))).type);
        const greedy = await failure(target.command({ query: 'SELECT groupArray(number) FROM numbers(100000000) FORMAT Null' }));
        expect(greedy.type).toBe('MEMORY_LIMIT_EXCEEDED');
        // A client may not lift either limit for itself.
        const lifted = await failure(
          target.command({ ...slowly, clickhouse_settings: { ...slowly.clickhouse_settings, max_execution_time: 100 } }),
        );
        expect(timeLimit).toContain(lifted.type);
        expect(await one(target)).toEqual({ one: 1 });
      } finally {
        await target.close();
      }
    });
  });
});
