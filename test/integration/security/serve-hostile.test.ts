/**
 * `llm-traces serve` against hostile local processes and web pages: every request of the corpus
 * (serve-corpus.ts) is refused with its code by a server without credentials and by one with a
 * password and an organization-bound users file; nothing is read from the secret file, the
 * server's environment or the listener, nothing is written, and the store is unchanged. Then the
 * official client, the exporter, the CLI, the JSON API and the browser session still do every
 * normal thing through the same server.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportResultCode } from '@opentelemetry/core';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { makeSpan } from '../../support/spans.js';
import { startServe, type ServeProcess } from '../../support/serve-process.js';
import { cliAt, exportSpans, rowsOf, tableInventory } from './harness.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { HOSTILE_REQUESTS, UNAUTHENTICATED_REQUESTS, type HostileRequest } from './serve-corpus.js';

const USER = 'owner';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const ACME_USER = 'acme-app';
const ACME_PASSWORD = `acme-${randomBytes(6).toString('hex')}`;
const FILE_CANARY = `CANARY-FILE-${randomBytes(8).toString('hex')}`;
const ENV_CANARY = `sk-canary${randomBytes(12).toString('hex')}`;

let store: TestStore;
let secretFile: string;
let outDir: string;
let listener: Server;
let listenerHits = 0;
let listenerUrl: string;

function llmSpan(org: string, n: number) {
  return makeSpan({
    name: 'chat gpt-4o-mini',
    kind: SpanKind.CLIENT,
    traceId: `${org === 'acme' ? 'a' : 'b'}${n}`.padStart(32, '0'),
    spanId: `${org === 'acme' ? 'a' : 'b'}${n}`.padStart(16, '0'),
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 100 * n,
      'gen_ai.usage.output_tokens': 10 * n,
      'llm_traces.organization_id': org,
    },
  });
}

beforeAll(async () => {
  store = await openTestStore();
  await exportSpans(store.client, [llmSpan('acme', 1), llmSpan('acme', 2), llmSpan('globex', 1)]);
  await store.release();
  secretFile = join(store.path, '..', `secret-${randomBytes(4).toString('hex')}.txt`);
  writeFileSync(secretFile, `${FILE_CANARY}\n`);
  outDir = join(store.path, '..', `out-${randomBytes(4).toString('hex')}`);
  mkdirSync(outDir);
  listener = createServer((_request, response) => {
    listenerHits += 1;
    response.end('a\n');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/data.csv`;
});

afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  await store.close();
});

interface Target {
  serve: ServeProcess;
  port: string;
  credentials: boolean;
}

function fill(text: string, target: Target): string {
  return text
    .replaceAll('{{FILE}}', secretFile)
    .replaceAll('{{OUT}}', outDir)
    .replaceAll('{{URL}}', listenerUrl)
    .replaceAll('{{PORT}}', target.port)
    .replaceAll('{{USER}}', USER)
    .replaceAll('{{PASSWORD}}', PASSWORD);
}

async function send(request: HostileRequest, target: Target): Promise<{ status: number; code: number; body: string; cors: string | null }> {
  const method = request.method ?? 'POST';
  let path = fill(request.path ?? '/', target);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name] = fill(value, target);
  if (request.authenticated && target.credentials) headers.Authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  let body: string | undefined = request.body === undefined ? undefined : fill(request.body, target);
  if (request.sql !== undefined) {
    if (method === 'GET') path += `${path.includes('?') ? '&' : '?'}query=${encodeURIComponent(fill(request.sql, target))}`;
    else body = fill(request.sql, target);
  }
  // fetch() will not send a Host header of our choosing; node:http will.
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${target.serve.url}${path}`, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          code: Number(response.headers['x-clickhouse-exception-code'] ?? 0),
          body: text,
          cors: (response.headers['access-control-allow-origin'] as string | undefined) ?? null,
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function quietClient(url: string, username: string, password: string): ClickHouseClient {
  return createClient({ url, username, password, log: { level: ClickHouseLogLevel.OFF } });
}

describe.each([
  { label: 'without credentials', credentials: false },
  { label: 'with a password and an organization-bound users file', credentials: true },
])('llm-traces serve $label', ({ credentials }) => {
  let target: Target;
  let admin: ClickHouseClient;
  let before: Record<string, string>;
  const answers = new Map<string, { status: number; code: number; body: string; cors: string | null }>();

  beforeAll(async () => {
    const args = ['--path', store.path];
    if (credentials) {
      const usersFile = join(store.path, '..', `users-${randomBytes(4).toString('hex')}.json`);
      writeFileSync(usersFile, JSON.stringify({ users: [{ name: ACME_USER, password: ACME_PASSWORD, organizations: ['acme'] }] }));
      args.push('--user', USER, '--password', PASSWORD, '--users-file', usersFile);
    }
    const serve = await startServe(args, { LLM_TRACES_CANARY: ENV_CANARY, OPENAI_API_KEY: ENV_CANARY });
    target = { serve, port: new URL(serve.url).port, credentials };
    admin = quietClient(serve.url, credentials ? USER : 'default', credentials ? PASSWORD : '');
    before = await tableInventory(rowsOf(admin));
    for (const request of [...HOSTILE_REQUESTS, ...(credentials ? UNAUTHENTICATED_REQUESTS : [])]) {
      answers.set(request.name, await send(request, target));
    }
  }, 120_000);

  afterAll(async () => {
    await admin?.close();
    expect(await target?.serve.stop()).toBe(0);
  });

  it('the corpus has at least 60 hostile requests', () => {
    expect(HOSTILE_REQUESTS.length + (credentials ? UNAUTHENTICATED_REQUESTS.length : 0)).toBeGreaterThanOrEqual(60);
  });

  it.each([...HOSTILE_REQUESTS, ...(credentials ? UNAUTHENTICATED_REQUESTS : [])].map((request) => [request.name, request] as const))(
    'refuses %s',
    (_name, request) => {
      const answer = answers.get(request.name)!;
      expect({ status: answer.status, code: answer.code }, answer.body).toEqual({ status: request.status, code: request.code });
      expect(answer.cors).toBeNull();
      expect(answer.body).not.toContain(FILE_CANARY);
      expect(answer.body).not.toContain(ENV_CANARY);
    },
  );

  it('explains each refusal: what is refused and why', () => {
    expect(answers.get('file()')!.body).toMatch(/file/i);
    expect(answers.get('INTO OUTFILE')!.body).toMatch(/OUTFILE/i);
    expect(answers.get('DROP TABLE')!.body).toMatch(/DROP/);
    expect(answers.get('DROP TABLE')!.body).toMatch(/--allow-writes/);
    expect(answers.get('cross-site simple POST (no-cors, text/plain)')!.body).toMatch(/other origins/);
    expect(answers.get('DNS rebinding: Host is the page’s name')!.body).toMatch(/Host header/);
  });

  it('read no file, wrote no file, called no URL and changed nothing in the store', async () => {
    expect(readdirSync(outDir)).toEqual([]);
    expect(existsSync(join(store.path, 'user_files'))).toBe(false);
    expect(listenerHits).toBe(0);
    expect(await tableInventory(rowsOf(admin))).toEqual(before);
    expect(before['otel.llm_traces']).toMatch(credentials ? / 4 rows$/ : / 3 rows$/);
  });

  it('still serves the official client, the exporter, the CLI and the JSON API', async () => {
    const rows = await (
      await admin.query({
        query:
          "SELECT organization_id, prompt_tokens FROM otel.llm_traces WHERE organization_id != 'initech' ORDER BY prompt_tokens, organization_id",
        format: 'JSONEachRow',
      })
    ).json();
    expect(rows).toEqual([
      { organization_id: 'acme', prompt_tokens: '100' },
      { organization_id: 'globex', prompt_tokens: '100' },
      { organization_id: 'acme', prompt_tokens: '200' },
    ]);
    // A limit a client asks to raise is held at the server's; a lower one is kept.
    const limit = async (value: number) => {
      const result = await admin.query({
        query: "SELECT getSetting('max_execution_time') AS v",
        format: 'JSONEachRow',
        clickhouse_settings: { max_execution_time: value },
      });
      return String((await result.json<{ v: unknown }>())[0]!.v);
    };
    expect(await limit(1_000_000)).toBe('60');
    expect(await limit(5)).toBe('5');
    // The exporter, through the same server, with the same credentials.
    const exporter = new ClickHouseTraceExporter({
      endpoint: target.serve.url,
      ...(credentials ? { username: USER, password: PASSWORD } : {}),
    });
    const result = await new Promise<{ code: ExportResultCode }>((resolve) =>
      exporter.export([llmSpan('initech', credentials ? 2 : 1)], resolve),
    );
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const stored = await admin.query({
      query: "SELECT count() AS n FROM otel.llm_traces WHERE organization_id = 'initech'",
      format: 'JSONEachRow',
    });
    expect(await stored.json()).toEqual([{ n: credentials ? '2' : '1' }]);
    const env = credentials ? { OTEL_EXPORTER_CLICKHOUSE_USERNAME: USER, OTEL_EXPORTER_CLICKHOUSE_PASSWORD: PASSWORD } : {};
    const listed = await cliAt(target.serve.url, ['list', '--org', 'acme', '--json'], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ organizationId: string }>).map((call) => call.organizationId)).toEqual(['acme', 'acme']);
    const api = await fetch(`${target.serve.url}/api/llm-traces`, {
      headers: {
        'X-Organization-Id': 'globex',
        ...(credentials ? { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` } : {}),
      },
    });
    expect(api.status).toBe(200);
    expect(((await api.json()) as Array<{ organizationId: string }>).map((call) => call.organizationId)).toEqual(['globex']);
  });
});

describe('organization-bound credentials and the browser session', () => {
  let serve: ServeProcess;
  const acme = `Basic ${Buffer.from(`${ACME_USER}:${ACME_PASSWORD}`).toString('base64')}`;

  beforeAll(async () => {
    const usersFile = join(store.path, '..', `users-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(usersFile, JSON.stringify({ users: [{ name: ACME_USER, password: ACME_PASSWORD, organizations: ['acme'] }] }));
    serve = await startServe(['--path', store.path, '--user', USER, '--password', PASSWORD, '--users-file', usersFile]);
  }, 60_000);

  afterAll(async () => {
    expect(await serve?.stop()).toBe(0);
  });

  it('an organization-bound credential reads its organization only, through SQL and both APIs', async () => {
    const client = quietClient(serve.url, ACME_USER, ACME_PASSWORD);
    try {
      const rows = await (
        await client.query({
          query: 'SELECT organization_id, count() AS n FROM otel.llm_traces GROUP BY organization_id',
          format: 'JSONEachRow',
        })
      ).json();
      expect(rows).toEqual([{ organization_id: 'acme', n: '2' }]);
    } finally {
      await client.close();
    }
    const own = await fetch(`${serve.url}/api/v1/calls`, { headers: { Authorization: acme, 'X-Organization-Id': 'acme' } });
    expect(own.status).toBe(200);
    for (const path of ['/api/v1/calls', '/api/llm-traces']) {
      const other = await fetch(`${serve.url}${path}`, { headers: { Authorization: acme, 'X-Organization-Id': 'globex' } });
      expect(other.status).toBe(403);
      expect(await other.text()).toMatch(/acme-app may read the organizations acme, not the organization 'globex'/);
    }
    const session = await fetch(`${serve.url}/api/v1/session`, { headers: { Authorization: acme, 'X-Organization-Id': 'acme' } });
    expect(await session.json()).toMatchObject({ auth: true, organizations: ['acme'] });
    // Naming no organization (or another one), the session still says which it may read, and nothing else.
    const unnamed = await fetch(`${serve.url}/api/v1/session`, { headers: { Authorization: acme } });
    expect(unnamed.status).toBe(200);
    expect(await unnamed.json()).toMatchObject({ organization_id: '', organizations: ['acme'] });
  });

  it('the address serve prints signs a browser in with an HttpOnly SameSite=Strict cookie; state changes need its own Origin', async () => {
    const printed = /the viewer: (http:\/\/\S+\?token=\S+)/.exec(serve.output())![1]!;
    const login = await fetch(printed, { redirect: 'manual', headers: { Accept: 'text/html' } });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const jar = cookie.split(';')[0]!;
    const read = await fetch(`${serve.url}/api/v1/calls`, { headers: { Cookie: jar, 'Sec-Fetch-Site': 'same-origin' } });
    expect(read.status).toBe(200);
    const noOrigin = await fetch(`${serve.url}/`, { method: 'POST', body: 'SELECT 1', headers: { Cookie: jar } });
    expect(noOrigin.status).toBe(403);
    const ownOrigin = await fetch(`${serve.url}/`, {
      method: 'POST',
      body: 'SELECT 1 AS one FORMAT JSONEachRow',
      headers: { Cookie: jar, Origin: serve.url },
    });
    expect(await ownOrigin.text()).toBe('{"one":1}\n');
  });
});
