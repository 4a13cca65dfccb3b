/**
 * The embedded ClickHouse HTTP server, driven over HTTP by the official `@clickhouse/client` (and by
 * plain fetch where the client hides the wire: statuses, headers, bodies).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ClickHouseError, ClickHouseLogLevel, createClient as createOfficialClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../../../src/server/index.js';

const USER = 'writer';
const PASSWORD = 's3cret';
const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let path: string;
let server: ClickHouseHttpServer;
let client: ClickHouseClient;

/** The official client, quiet: it logs every failed request, and these tests fail many on purpose. */
function createClient(config: Parameters<typeof createOfficialClient>[0]): ClickHouseClient {
  return createOfficialClient({ log: { level: ClickHouseLogLevel.OFF }, ...config });
}

function connect(overrides: Parameters<typeof createClient>[0] = {}): ClickHouseClient {
  return createClient({ url: server.url, username: USER, password: PASSWORD, ...overrides });
}

async function thrown(promise: Promise<unknown>): Promise<ClickHouseError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ClickHouseError);
    return error as ClickHouseError;
  }
  throw new Error('expected the call to fail');
}

async function count(table: string): Promise<string> {
  const result = await client.query({ query: `SELECT toString(count()) AS n FROM ${table}`, format: 'JSONEachRow' });
  return (await result.json<{ n: string }>())[0]!.n;
}

interface HeldInsert {
  request: ClientRequest;
  response: Promise<{ status: number; body: string }>;
}

/** An INSERT whose body stays open until `end()`: it holds an admission slot for as long as the test wants. */
function openInsert(url: string, name: string, { gzip = false } = {}): HeldInsert {
  const query = 'INSERT INTO events (id, name) FORMAT JSONEachRow';
  const request = httpRequest(`${url}/?query=${encodeURIComponent(query)}`, {
    method: 'POST',
    headers: { Authorization: auth, 'Transfer-Encoding': 'chunked', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('response', (message: IncomingMessage) => {
      let body = '';
      message.setEncoding('utf8');
      message.on('data', (chunk: string) => (body += chunk));
      message.on('end', () => resolve({ status: message.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
  const row = Buffer.from(`${JSON.stringify({ id: 9000, name })}\n`);
  // A gzipped body is cut short: the stream stays open and unfinished until the test decides.
  request.write(gzip ? gzipSync(row).subarray(0, 12) : row);
  request.flushHeaders();
  return { request, response };
}

/**
 * Starts a statement that runs for about two seconds and waits until it owns the only slot of a
 * `maxConcurrentQueries: 1` server, which the probe sees as TOO_MANY_SIMULTANEOUS_QUERIES.
 */
async function occupyTheOnlySlot(url: string, probe: ClickHouseClient, statement: string): Promise<{ running: Promise<unknown> }> {
  // A statement that arrives while a probe runs is itself refused; it is started again.
  for (let attempt = 0; attempt < 20; attempt++) {
    const slow = connect({ url });
    let settled = false;
    const running = slow.command({ query: statement }).finally(() => {
      settled = true;
      return slow.close();
    });
    running.catch(() => undefined);
    // Probes back to back would leave the slow statement no gap to take the slot in.
    await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    while (!settled) {
      const outcome = await probe.query({ query: 'SELECT 1' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      // Wrapped: an async function returning the promise itself would wait for it.
      if (outcome instanceof ClickHouseError && outcome.code === '202') return { running };
    }
  }
  throw new Error('the slow statement never got the only slot');
}

const SLOW_SELECT = 'SELECT sleepEachRow(0.4) FROM numbers(5) FORMAT Null';

beforeAll(async () => {
  path = mkdtempSync(join(tmpdir(), 'llm-traces-server-'));
  server = await startClickHouseHttpServer({ path, host: '127.0.0.1', port: 0, user: USER, password: PASSWORD });
  client = connect();
  await client.command({
    query: `CREATE TABLE events (id UInt64, name String, at DateTime64(9), tags Array(String))
            ENGINE = MergeTree ORDER BY id`,
  });
});

afterAll(async () => {
  await client.close();
  await server.close();
  rmSync(path, { recursive: true, force: true });
});

describe('health checks', () => {
  it('answers /ping and / with Ok. and the official client pings successfully', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const route of ['/ping', '/']) {
      const response = await fetch(`${server.url}${route}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('Ok.\n');
    }
    expect(await client.ping()).toEqual({ success: true });
  });

  it('answers an unknown path with 404', async () => {
    const response = await fetch(`${server.url}/replicas_status`, { headers: { Authorization: auth } });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('There is no handle /replicas_status');
  });
});

describe('inserts and selects through @clickhouse/client', () => {
  it('stores every row of an insert larger than the engine takes in one piece (about 24 MiB of JSONEachRow)', async () => {
    const row = (id: number) => `${JSON.stringify({ id: 100_000 + id, name: `big-${'x'.repeat(990)}` })}\n`;
    const body = Array.from({ length: 24_000 }, (_, id) => row(id)).join('');
    expect(body.length).toBeGreaterThan(16 * 1024 * 1024);
    await client.command({ query: 'CREATE TABLE big_inserts (id UInt64, name String) ENGINE = MergeTree ORDER BY id' });
    const response = await fetch(`${server.url}/?query=${encodeURIComponent('INSERT INTO big_inserts (id, name) FORMAT JSONEachRow')}`, {
      method: 'POST',
      headers: { Authorization: auth },
      body,
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.headers.get('x-clickhouse-summary')!)).toMatchObject({ written_rows: '24000' });
    expect(await count('big_inserts')).toBe('24000');
    expect(await count("(SELECT DISTINCT id FROM big_inserts WHERE startsWith(name, 'big-') AND id BETWEEN 100000 AND 123999)")).toBe(
      '24000',
    );
  });

  it('inserts JSONEachRow and JSONCompactEachRow with async_insert, reporting the rows written', async () => {
    const settings = { async_insert: 1, wait_for_async_insert: 1 } as const;
    const first = await client.insert({
      table: 'events',
      format: 'JSONEachRow',
      values: [
        { id: 1, name: "it's", at: '1795346763970123457', tags: ['a', "b'c"] },
        { id: 2, name: 'back\\slash', at: '1795346763970123458', tags: [] },
      ],
      clickhouse_settings: settings,
    });
    expect(first.executed).toBe(true);
    expect(first.summary).toMatchObject({ written_rows: '2', result_rows: '2' });

    const second = await client.insert({
      table: 'events',
      format: 'JSONCompactEachRow',
      columns: ['id', 'name', 'at', 'tags'],
      values: [[3, 'tab\there', '1795346763970123459', ['x']]],
      clickhouse_settings: settings,
    });
    expect(second.summary).toMatchObject({ written_rows: '1' });
    expect(await count('events')).toBe('3');
  });

  it('binds String, UInt64, DateTime64(9) and Array(String) parameters exactly, in JSON and JSONEachRow', async () => {
    // One nanosecond apart: a parameter that lost precision would match neither row.
    const query = `SELECT id, name, toString(at) AS time, tags, {big:UInt64} AS big
                   FROM events
                   WHERE name IN {names:Array(String)} AND name != {skip:String}
                     AND at >= {from:DateTime64(9)} AND at <= {until:DateTime64(9)}
                   ORDER BY id`;
    const query_params = {
      names: ["it's", 'back\\slash', 'tab\there'],
      skip: 'tab\there',
      from: '2026-11-22 11:26:03.970123457',
      until: '2026-11-22 11:26:03.970123458',
      big: 18446744073709551615n,
    };
    const clickhouse_settings = { output_format_json_quote_64bit_integers: 1 } as const;

    const rows = await (await client.query({ query, query_params, clickhouse_settings, format: 'JSONEachRow' })).json();
    expect(rows).toEqual([
      { id: '1', name: "it's", time: '2026-11-22 11:26:03.970123457', tags: ['a', "b'c"], big: '18446744073709551615' },
      { id: '2', name: 'back\\slash', time: '2026-11-22 11:26:03.970123458', tags: [], big: '18446744073709551615' },
    ]);

    const json = await (await client.query({ query, query_params, clickhouse_settings, format: 'JSON' })).json<{ id: string }>();
    expect(json.rows).toBe(2);
    expect(json.meta).toContainEqual({ name: 'time', type: 'String' });
    expect(json.data.map((row) => row.id)).toEqual(['1', '2']);
  });

  it('sends long parameters as multipart/form-data when the client chooses to', async () => {
    const multipart = connect({ use_multipart_params: true });
    const result = await multipart.query({
      query: 'SELECT {names:Array(String)} AS names, {note:String} AS note',
      query_params: { names: ['a\nb', "c'd"], note: 'x'.repeat(5000) },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ names: string[]; note: string }>();
    expect(row!.names).toEqual(['a\nb', "c'd"]);
    expect(row!.note).toHaveLength(5000);
    await multipart.close();
  });

  it('runs exec with the raw response stream, and exec with an INSERT body', async () => {
    const selected = await client.exec({ query: 'SELECT id, name FROM events WHERE id = 3 FORMAT JSONEachRow' });
    let text = '';
    for await (const chunk of selected.stream) text += String(chunk);
    expect(JSON.parse(text)).toEqual({ id: '3', name: 'tab\there' });
    expect(selected.response_headers['x-clickhouse-format']).toBe('JSONEachRow');

    const inserted = await client.exec({
      query: 'INSERT INTO events (id, name, at, tags) FORMAT JSONEachRow',
      values: Readable.from(['{"id":4,"name":"streamed","at":"1795346763970123460","tags":["s"]}\n']),
    });
    for await (const chunk of inserted.stream) void chunk;
    expect(inserted.summary).toMatchObject({ written_rows: '1' });
    expect(await count('events')).toBe('4');
  });

  it('answers with X-ClickHouse headers a server sends', async () => {
    const result = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow', query_id: 'my-query-1' });
    await result.json();
    const headers = result.response_headers;
    expect(headers['x-clickhouse-query-id']).toBe('my-query-1');
    expect(headers['x-clickhouse-format']).toBe('JSONEachRow');
    expect(headers['x-clickhouse-timezone']).toBe('Etc/UTC');
    expect(headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(JSON.parse(String(headers['x-clickhouse-summary']))).toMatchObject({ read_rows: '1', written_rows: '0' });
  });

  it('applies URL settings, the database and GET read-only mode to one request only', async () => {
    const setting = async (settings: Record<string, string>) => {
      const result = await client.query({
        query: "SELECT toString(getSetting('max_result_rows')) AS v, currentDatabase() AS db",
        format: 'JSONEachRow',
        clickhouse_settings: settings,
      });
      return (await result.json<{ v: string; db: string }>())[0];
    };
    expect(await setting({ max_result_rows: '7' })).toEqual({ v: '7', db: 'default' });
    expect(await setting({})).toEqual({ v: '0', db: 'default' });

    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS other' });
    const other = connect({ database: 'other' });
    const db = await (await other.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' })).json();
    expect(db).toEqual([{ db: 'other' }]);
    await other.close();

    const get = await fetch(`${server.url}/?query=${encodeURIComponent('CREATE TABLE nope (a UInt8) ENGINE = Memory')}`, {
      headers: { Authorization: auth },
    });
    expect(get.status).toBe(500);
    expect(get.headers.get('x-clickhouse-exception-code')).toBe('164');
    expect(await get.text()).toMatch(/^Code: 164\. DB::Exception: .*\(READONLY\) \(version [\d.]+\)\n$/);
  });
});

describe('compression', () => {
  it('accepts gzip request bodies and gzips responses for @clickhouse/client', async () => {
    const compressed = connect({ compression: { request: true, response: true } });
    await compressed.insert({
      table: 'events',
      format: 'JSONEachRow',
      values: Array.from({ length: 500 }, (_, i) => ({ id: 1000 + i, name: `gz-${i}`, at: '1795346763970123457', tags: ['z'] })),
    });
    const result = await compressed.query({
      query: "SELECT toString(count()) AS n FROM events WHERE name LIKE 'gz-%'",
      format: 'JSONEachRow',
    });
    expect(result.response_headers['content-encoding']).toBe('gzip');
    expect(await result.json()).toEqual([{ n: '500' }]);
    await compressed.close();
  });

  it('gzips error bodies the client then parses', async () => {
    const compressed = connect({ compression: { response: true } });
    const error = await thrown(compressed.query({ query: 'SELECT * FROM missing_table' }));
    expect(error).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    await compressed.close();
  });
});

describe('errors', () => {
  it('raises the typed ClickHouseError for a syntax error (62) and an unknown table (60)', async () => {
    expect(await thrown(client.query({ query: 'SELEC 1' }))).toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });
    expect(await thrown(client.query({ query: 'SELECT * FROM missing_table' }))).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    // Settings outside the allow-list are refused before the engine sees them.
    expect(await thrown(client.query({ query: 'SELECT 1', clickhouse_settings: { no_such_setting: 1 } as never }))).toMatchObject({
      code: '497',
      type: 'ACCESS_DENIED',
    });
  });

  it('answers with the status and body a ClickHouse server sends', async () => {
    const syntax = await fetch(`${server.url}/?query=${encodeURIComponent('SELEC 1')}`, { headers: { Authorization: auth } });
    expect(syntax.status).toBe(400);
    expect(syntax.headers.get('x-clickhouse-exception-code')).toBe('62');
    expect(await syntax.text()).toMatch(/^Code: 62\. DB::Exception: Syntax error: .*\(SYNTAX_ERROR\) \(version [\d.]+\)\n$/s);

    const table = await fetch(`${server.url}/`, { method: 'POST', body: 'SELECT * FROM missing_table', headers: { Authorization: auth } });
    expect(table.status).toBe(404);
    expect(table.headers.get('x-clickhouse-exception-code')).toBe('60');
  });

  it('refuses wrong or missing credentials with AUTHENTICATION_FAILED (516, HTTP 403)', async () => {
    const wrong = createClient({ url: server.url, username: USER, password: 'guess' });
    expect(await thrown(wrong.query({ query: 'SELECT 1' }))).toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' });
    await wrong.close();

    const anonymous = await fetch(`${server.url}/?query=SELECT%201`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toMatch(/^Code: 516\. DB::Exception: default: Authentication failed/);

    const viaHeaders = await fetch(`${server.url}/?query=SELECT%2042`, {
      headers: { 'X-ClickHouse-User': USER, 'X-ClickHouse-Key': PASSWORD },
    });
    expect(await viaHeaders.text()).toBe('42\n');
    const viaParams = await fetch(`${server.url}/?query=SELECT%2043&user=${USER}&password=${PASSWORD}`);
    expect(await viaParams.text()).toBe('43\n');
  });

  it('refuses a body over maxBodyBytes, counted after decompression, with QUERY_IS_TOO_LARGE (413)', async () => {
    const small = await startClickHouseHttpServer({ path, port: 0, user: USER, password: PASSWORD, maxBodyBytes: 1024 });
    try {
      const rows = Array.from({ length: 100 }, (_, i) => ({ id: 5000 + i, name: 'too-large', at: '1795346763970123457', tags: [] }));
      for (const compression of [{}, { request: true }]) {
        const limited = createClient({ url: small.url, username: USER, password: PASSWORD, compression });
        const error = await thrown(limited.insert({ table: 'events', format: 'JSONEachRow', values: rows }));
        expect(error).toMatchObject({ code: '229', type: 'QUERY_IS_TOO_LARGE' });
        expect(error.message).toContain('limit of 1024 bytes');
        await limited.close();
      }
      const bomb = gzipSync(Buffer.alloc(500_000, ' '));
      expect(bomb.length).toBeLessThan(1024);
      const response = await fetch(`${small.url}/?query=SELECT%201`, {
        method: 'POST',
        body: bomb,
        headers: { Authorization: auth, 'Content-Encoding': 'gzip' },
      });
      expect(response.status).toBe(413);
    } finally {
      await small.close();
    }
    expect(await count("events WHERE name = 'too-large'")).toBe('0');
  });

  it('refuses statements beyond maxConcurrentQueries with TOO_MANY_SIMULTANEOUS_QUERIES (202); an upload in progress takes no slot', async () => {
    const single = await startClickHouseHttpServer({ path, port: 0, user: USER, password: PASSWORD, maxConcurrentQueries: 1 });
    const other = createClient({ url: single.url, username: USER, password: PASSWORD });
    try {
      const upload = openInsert(single.url, 'uploaded-while-busy');
      expect(await (await other.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json()).toEqual([{ one: 1 }]);
      const { running } = await occupyTheOnlySlot(single.url, other, SLOW_SELECT);
      const error = await thrown(other.query({ query: 'SELECT 1' }));
      expect(error).toMatchObject({ type: 'TOO_MANY_SIMULTANEOUS_QUERIES' });
      expect(error.message).toContain('Maximum: 1');
      await running;
      upload.request.end();
      expect((await upload.response).status).toBe(200);
      expect(await (await other.query({ query: 'SELECT 2 AS two', format: 'JSONEachRow' })).json()).toEqual([{ two: 2 }]);
    } finally {
      await other.close();
      await single.close();
    }
  });
});

describe('sharing the store in-process', () => {
  it('serves an in-process @clickhouse/client through server.connection', async () => {
    const local = createClient({ connection: server.connection as never });
    const rows = await (await local.query({ query: 'SELECT toString(count()) AS n FROM events', format: 'JSONEachRow' })).json();
    expect(rows).toEqual([{ n: await count('events') }]);
  });
});

describe('closing', () => {
  it('serves others while a client hangs up in the middle of its body, plain or gzipped, and stores nothing of it', async () => {
    const single = await startClickHouseHttpServer({ path, port: 0, user: USER, password: PASSWORD, maxConcurrentQueries: 1 });
    const probe = createClient({ url: single.url, username: USER, password: PASSWORD });
    try {
      for (const gzip of [false, true]) {
        const held = openInsert(single.url, 'hung-up', { gzip });
        expect(await (await probe.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json()).toEqual([{ one: 1 }]);
        held.request.destroy();
        await expect(held.response).rejects.toThrow();
        expect(await (await probe.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json()).toEqual([{ one: 1 }]);
      }
    } finally {
      await probe.close();
      await single.close();
    }
    expect(await count("events WHERE name = 'hung-up'")).toBe('0');
  });

  it('lets an in-flight request finish, refuses new ones, and a restart on the same path sees every row', async () => {
    await client.close();
    await server.close();
    const closing = await startClickHouseHttpServer({ path, port: 0, user: USER, password: PASSWORD, maxConcurrentQueries: 1 });
    const probe = createClient({ url: closing.url, username: USER, password: PASSWORD });
    // Owning the only slot proves the insert is in flight before close() starts.
    const { running } = await occupyTheOnlySlot(
      closing.url,
      probe,
      "INSERT INTO events (id, name) SELECT 9001, 'last' FROM numbers(5) WHERE sleepEachRow(0.4) = 0 LIMIT 1",
    );
    await probe.close();

    const closed = closing.close();
    await running;
    await closed;
    await expect(fetch(`${closing.url}/ping`)).rejects.toThrow();

    server = await startClickHouseHttpServer({ path, port: 0, user: USER, password: PASSWORD });
    client = connect();
    expect(await count("events WHERE name IN ('uploaded-while-busy', 'last')")).toBe('2');
  });
});
