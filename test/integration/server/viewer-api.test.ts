/**
 * The viewer API (/api/v1) over HTTP against a store the real exporter filled, over HTTP too,
 * with traces captured from real instrumentations (test/support/viewer-traces.ts). Expected
 * values come from the stored rows read directly, not from the API's own readers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/index.js';
import { BUNDLED_PRICES } from '../../../src/pricing/index.js';
import { parseUsd, formatUsd } from '../../../src/pricing/money.js';
import { createPricer } from '../../../src/pricing/pricer.js';
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../../../src/server/index.js';
import { handleApiRequest } from '../../../src/server/json-api.js';
import { createViewer, readersOver } from '../../../src/server/viewer.js';
import type * as Wire from '../../../src/server/viewer-api/types.js';
import { VIEWER_FIXTURES, viewerTrace, type ViewerTrace } from '../../support/viewer-traces.js';

const TRACES = 200;
const EXPORT_PAGE_SIZE = 40;
const AUTH = { authorization: `Basic ${Buffer.from('dev:dev-secret').toString('base64')}` };
const tables = { database: 'otel', tracesTable: 'otel_traces', llmTable: 'llm_traces' };

/** A stored llm_traces row, read directly. */
interface StoredCall {
  id: string;
  organization_id: string;
  trace_id: string;
  agent_id: string;
  run_id: string;
  model: string;
  request_model: string;
  provider: string;
  call_type: string;
  agent_tags: string[];
  is_error: boolean;
  has_usage: boolean;
  prompt_tokens: number;
  cached_input_tokens: number | null;
  cache_write_tokens: number | null;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: string | null;
  cost_source: string;
  request_size_bytes: number;
  latency_ms: number;
  time_ns: string;
}

let path: string;
let server: ClickHouseHttpServer;
let client: ClickHouseClient;
let traces: ViewerTrace[];
let stored: StoredCall[];
let window: { start: string; end: string };

function of(org: string): StoredCall[] {
  return stored.filter((call) => call.organization_id === org);
}

function newestFirst(calls: StoredCall[]): StoredCall[] {
  return [...calls].sort((a, b) =>
    BigInt(b.time_ns) > BigInt(a.time_ns) ? 1 : BigInt(b.time_ns) < BigInt(a.time_ns) ? -1 : b.id < a.id ? -1 : 1,
  );
}

function fixtureOf(call: { trace_id: string }): ViewerTrace['fixture'] {
  return traces[parseInt(call.trace_id.slice(1), 16)]!.fixture;
}

function sumUsd(values: Array<string | null>): string | null {
  const priced = values.filter((value): value is string => value !== null);
  return priced.length === 0 ? null : formatUsd(priced.reduce((sum, value) => sum + parseUsd(value), 0n));
}

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

async function api<T = any>(
  pathAndQuery: string,
  options: { org?: string; method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const response = await fetch(`${server.url}${pathAndQuery}`, {
    method: options.method ?? 'GET',
    headers: { ...AUTH, ...(options.org === undefined ? {} : { 'X-Organization-Id': options.org }), ...options.headers },
    body: options.body,
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return { status: response.status, headers: response.headers, body: (json ? JSON.parse(text) : text) as T };
}

function inWindow(query = ''): string {
  const params = new URLSearchParams(query);
  params.set('start', window.start);
  params.set('end', window.end);
  return params.toString();
}

/** Every page of a list, following next_cursor. */
async function allPages<T>(route: string, org: string): Promise<{ pages: T[][]; items: T[] }> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const separator = route.includes('?') ? '&' : '?';
    const page: Answer<{ items: T[]; next_cursor: string | null }> = await api(
      `${route}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ''}`,
      { org },
    );
    expect(page.status).toBe(200);
    pages.push(page.body.items);
    cursor = page.body.next_cursor;
  } while (cursor !== null && pages.length < 100);
  return { pages, items: pages.flat() };
}

beforeAll(async () => {
  path = mkdtempSync(join(tmpdir(), 'llm-traces-viewer-api-'));
  const pricer = createPricer();
  server = await startClickHouseHttpServer({
    path,
    port: 0,
    user: 'dev',
    password: 'dev-secret',
    api: (connection) => {
      const readersFor = readersOver(createClient({ connection: connection as never }), tables);
      return (method, url, headers) => handleApiRequest(readersFor, method, url, headers);
    },
    viewer: (connection) =>
      createViewer(connection, { tables, pricer, auth: true, version: '9.9.9-test', exportPageSize: EXPORT_PAGE_SIZE }),
  });
  client = createClient({ connection: server.connection as never });

  // Inside the default window (the last 24 hours), 17 s apart.
  const base = Date.now() - 2 * 3600_000;
  traces = Array.from({ length: TRACES }, (_, i) => viewerTrace(i, base));
  // The exporter creates the tables, as it does for an app pointed at a fresh `serve`.
  const exporter = new ClickHouseTraceExporter({ endpoint: server.url, username: 'dev', password: 'dev-secret' });
  for (let i = 0; i < traces.length; i += 50) {
    const batch = traces.slice(i, i + 50).flatMap((trace) => trace.spans);
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(batch, resolve));
    expect(result.error).toBeUndefined();
  }
  await exporter.shutdown();
  const result = await client.query({
    query: `SELECT id, organization_id, trace_id, agent_id, run_id, model, request_model, provider, call_type, agent_tags, is_error, has_usage,
      toUInt32(prompt_tokens) AS prompt_tokens, toUInt32OrNull(toString(cached_input_tokens)) AS cached_input_tokens,
      toUInt32OrNull(toString(cache_write_tokens)) AS cache_write_tokens, toUInt32(completion_tokens) AS completion_tokens,
      toUInt32(total_tokens) AS total_tokens, toString(cost_usd) AS cost_usd, cost_source, toUInt32(request_size_bytes) AS request_size_bytes,
      latency_ms, toString(toUnixTimestamp64Nano(created_at)) AS time_ns FROM otel.llm_traces`,
    format: 'JSONEachRow',
  });
  stored = await result.json<StoredCall>();
  window = { start: new Date(base - 60_000).toISOString(), end: new Date(base + TRACES * 17_000 + 60_000).toISOString() };
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (path) rmSync(path, { recursive: true, force: true });
});

describe('the store the viewer reads', () => {
  it('holds one row per LLM call of every captured fixture, in two organizations', () => {
    expect(new Set(stored.map(fixtureOf))).toEqual(new Set(VIEWER_FIXTURES));
    // ai@6/tool-call-anthropic makes two provider calls per trace; every other fixture one.
    const perTrace = (fixture: string) => (fixture === 'ai@6/tool-call-anthropic' ? 2 : 1);
    expect(stored).toHaveLength(traces.reduce((sum, trace) => sum + perTrace(trace.fixture), 0));
    expect(of('org-a').length).toBeGreaterThan(150);
    expect(of('org-b').length).toBeGreaterThan(30);
    expect(stored.some((call) => call.cost_usd !== null && (call.cached_input_tokens ?? 0) > 0)).toBe(true);
    expect(stored.some((call) => call.is_error)).toBe(true);
  });
});

describe('GET /api/v1/session', () => {
  it('names the organization, the auth requirement, the version and the price table', async () => {
    const answer = await api<Wire.SessionInfo>('/api/v1/session', { org: 'org-a' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toMatchObject({
      organization_id: 'org-a',
      organizations: null,
      auth: true,
      version: '9.9.9-test',
      default_window_ms: 86_400_000,
    });
    expect(answer.body.price_table_version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('is refused without the credentials, like every query', async () => {
    const response = await fetch(`${server.url}/api/v1/session`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as Wire.ApiErrorBody).error).toMatch(/Authentication failed/);
  });
});

describe('GET /api/v1/calls', () => {
  it('pages through every call of the organization newest first, with no duplicate or gap', async () => {
    const { pages, items } = await allPages<Wire.CallSummary>(`/api/v1/calls?${inWindow('limit=50')}`, 'org-a');
    expect(pages.length).toBe(Math.ceil(of('org-a').length / 50));
    expect(pages.slice(0, -1).every((page) => page.length === 50)).toBe(true);
    expect(items.map((item) => item.id)).toEqual(newestFirst(of('org-a')).map((call) => call.id));
  });

  it('uses the last 24 hours when no window is given, and says so', async () => {
    const answer = await api<Wire.CallPage>('/api/v1/calls?limit=500', { org: 'org-a' });
    expect(answer.body.items).toHaveLength(of('org-a').length);
    const span = Date.parse(answer.body.window.end) - Date.parse(answer.body.window.start);
    expect(span).toBe(86_400_000);
  });

  it('maps every field of a call, with unreported usage and unknown cost as null', async () => {
    const { items } = await allPages<Wire.CallSummary>(`/api/v1/calls?${inWindow('limit=500')}`, 'org-a');
    for (const item of items) {
      const row = stored.find((call) => call.id === item.id)!;
      expect(item).toMatchObject({
        organization_id: 'org-a',
        trace_id: row.trace_id,
        agent_id: row.agent_id,
        run_id: row.run_id,
        model: row.model,
        provider: row.provider,
        cost_usd: row.cost_usd,
        priced: row.cost_usd !== null,
        is_error: row.is_error,
        has_usage: row.has_usage,
        prompt_tokens: row.has_usage ? row.prompt_tokens : null,
        cached_input_tokens: row.has_usage ? row.cached_input_tokens : null,
        time_ns: row.time_ns,
        tags: row.agent_tags,
      });
      expect(item.time).toBe(new Date(Number(BigInt(row.time_ns) / 1_000_000n)).toISOString());
      expect(item.snippet).toBeUndefined();
    }
  });

  it.each(['cost', 'tokens', 'latency'] as const)('pages by %s in both orders with no duplicate or gap', async (sort) => {
    const key = (item: Wire.CallSummary): number =>
      sort === 'cost'
        ? item.cost_usd === null
          ? -1
          : Number(item.cost_usd)
        : sort === 'tokens'
          ? (item.total_tokens ?? 0)
          : item.latency_ms;
    for (const order of ['desc', 'asc'] as const) {
      const { pages, items } = await allPages<Wire.CallSummary>(
        `/api/v1/calls?${inWindow(`limit=30&sort=${sort}&order=${order}`)}`,
        'org-a',
      );
      expect(pages.length).toBeGreaterThan(2);
      expect(new Set(items.map((item) => item.id)).size).toBe(of('org-a').length);
      expect(items).toHaveLength(of('org-a').length);
      const keys = items.map(key);
      expect(keys).toEqual([...keys].sort((a, b) => (order === 'desc' ? b - a : a - b)));
    }
  });

  it('applies each filter to the whole window', async () => {
    const calls = of('org-a');
    const cases: Array<[string, (call: StoredCall) => boolean]> = [
      ['model=claude-sonnet-4-6-20250101', (call) => call.model === 'claude-sonnet-4-6-20250101'],
      ['provider=openai', (call) => call.provider === 'openai'],
      ['errors=1', (call) => call.is_error],
      ['errors=0', (call) => !call.is_error],
      ['agent_id=agent-1', (call) => call.agent_id === 'agent-1'],
      ['run_id=run-7', (call) => call.run_id === 'run-7'],
      ['tag=odd', (call) => call.agent_tags.includes('odd')],
      ['call_type=chat', (call) => call.call_type === 'chat'],
      ['min_cost=0.003', (call) => call.cost_usd !== null && Number(call.cost_usd) >= 0.003],
      ['min_prompt_tokens=1510', (call) => call.prompt_tokens >= 1510],
      [`trace_id=${traces[3]!.traceId}`, (call) => call.trace_id === traces[3]!.traceId],
      [
        'provider=anthropic&errors=1&agent_id=agent-2',
        (call) => call.provider === 'anthropic' && call.is_error && call.agent_id === 'agent-2',
      ],
    ];
    for (const [query, keep] of cases) {
      const answer = await api<Wire.CallPage>(`/api/v1/calls?${inWindow(`limit=500&${query}`)}`, { org: 'org-a' });
      const expected = newestFirst(calls.filter(keep)).map((call) => call.id);
      expect(expected.length, query).toBeGreaterThan(0);
      expect(
        answer.body.items.map((item) => item.id),
        query,
      ).toEqual(expected);
    }
  });

  it('searches the request and response payloads inside the window and shows the hit', async () => {
    const answer = await api<Wire.CallPage>(`/api/v1/calls?${inWindow('limit=500&q=WEATHER')}`, { org: 'org-a' });
    const hits = answer.body.items;
    const withWeather = [
      'openinference-openai@4/openai6-chat-tool-call',
      'traceloop-anthropic@0.27/messages-tool-use',
      'ai@6/tool-call-anthropic',
    ];
    expect(new Set(hits.map(fixtureOf))).toEqual(new Set(withWeather));
    for (const hit of hits) expect(hit.snippet!.toLowerCase()).toContain('weather');
    // A window without those calls finds none of them.
    const early = new Date(Date.parse(window.start) - 3600_000).toISOString();
    const none = await api<Wire.CallPage>(`/api/v1/calls?q=weather&start=${early}&end=${window.start}`, { org: 'org-a' });
    expect(none.body.items).toEqual([]);
  });
});

describe('GET /api/v1/calls/totals and /facets', () => {
  it('sums the filtered set', async () => {
    const answer = await api<Wire.CallTotals>(`/api/v1/calls/totals?${inWindow('provider=anthropic')}`, { org: 'org-a' });
    const calls = of('org-a').filter((call) => call.provider === 'anthropic');
    expect(answer.body).toMatchObject({
      calls: calls.length,
      errors: calls.filter((call) => call.is_error).length,
      prompt_tokens: calls.reduce((sum, call) => sum + call.prompt_tokens, 0),
      cached_input_tokens: calls.reduce((sum, call) => sum + (call.cached_input_tokens ?? 0), 0),
      completion_tokens: calls.reduce((sum, call) => sum + call.completion_tokens, 0),
      cost_usd: sumUsd(calls.map((call) => call.cost_usd)),
      unpriced_calls: calls.filter((call) => call.cost_usd === null).length,
    });
    expect(answer.body.error_rate).toBeCloseTo(answer.body.errors / answer.body.calls, 10);
  });

  it('counts each value under the other filters, not its own', async () => {
    const answer = await api<Wire.CallFacets>(`/api/v1/calls/facets?${inWindow('provider=anthropic&agent_id=agent-0')}`, { org: 'org-a' });
    const calls = of('org-a');
    const count = (keep: (call: StoredCall) => boolean) => calls.filter(keep).length;
    // Providers are counted without the provider filter, agents without the agent filter.
    expect(answer.body.provider).toEqual(
      ['openai', 'anthropic']
        .map((value) => ({ value, count: count((call) => call.provider === value && call.agent_id === 'agent-0') }))
        .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    );
    expect(answer.body.agent_id.find((facet) => facet.value === 'agent-1')?.count).toBe(
      count((call) => call.agent_id === 'agent-1' && call.provider === 'anthropic'),
    );
    expect(answer.body.tag.find((facet) => facet.value === 'viewer-test')?.count).toBe(
      count((call) => call.agent_id === 'agent-0' && call.provider === 'anthropic'),
    );
  });
});

describe('GET /api/v1/calls/:id and its payloads', () => {
  const cachedCall = () => of('org-a').find((call) => fixtureOf(call) === 'anthropic-sdk@1/messages-cached')!;

  it('gives the detail with the cost split into parts and the price entry behind it', async () => {
    const row = cachedCall();
    const answer = await api<Wire.CallDetail>(`/api/v1/calls/${row.id}`, { org: 'org-a' });
    expect(answer.status).toBe(200);
    const detail = answer.body;
    // The Anthropic SDK's own spans carry gen_ai.output.messages, not the provider's body.
    expect(detail).toMatchObject({ id: row.id, cost_usd: row.cost_usd, cost_source: row.cost_source, response_assembled: true });
    expect(detail.cost_breakdown.map((part) => part.part)).toEqual(['input', 'cache_read', 'cache_write', 'output']);
    // Anthropic's inclusive prompt: 200 fresh + 1000 cache reads + 300 cache writes.
    expect(detail.cost_breakdown.map((part) => part.tokens)).toEqual([200, 1000, 300, 150]);
    expect(sumUsd(detail.cost_breakdown.map((part) => part.cost_usd))).toBe(row.cost_usd);
    expect(detail.price_entry).toMatchObject({ model: 'claude-sonnet-4-6', source: 'bundled' });
    const entry = BUNDLED_PRICES.find((price) => price.model === 'claude-sonnet-4-6')!;
    expect(Number(detail.cost_breakdown[0]!.unit_price_per_mtok)).toBe(entry.inputPerMillion);
    expect(detail.links).toEqual({ trace: `/api/v1/traces/${row.trace_id}`, run: `/api/v1/runs/${row.run_id}` });
    expect(detail.request_stored_bytes).toBeGreaterThan(0);
    expect(detail.request_capped).toBe(false);
  });

  it('flags an unpriced call as unpriced, never as $0', async () => {
    const row = of('org-a').find((call) => call.is_error)!;
    const { body } = await api<Wire.CallDetail>(`/api/v1/calls/${row.id}`, { org: 'org-a' });
    expect(body).toMatchObject({ cost_usd: null, priced: false, price_entry: null, prompt_tokens: null, tokens_per_second: null });
    expect(body.cost_breakdown.every((part) => part.cost_usd === null && part.tokens === null)).toBe(true);
  });

  it('fetches a payload whole, or cut at max_bytes on a character boundary', async () => {
    const row = cachedCall();
    const whole = await api<Wire.PayloadBody>(`/api/v1/calls/${row.id}/payload?part=request`, { org: 'org-a' });
    expect(whole.body).toMatchObject({ part: 'request', truncated: false, capped: false });
    expect(Buffer.byteLength(whole.body.json)).toBe(whole.body.stored_bytes);
    expect(JSON.parse(whole.body.json)).toHaveProperty('messages');
    const cut = await api<Wire.PayloadBody>(`/api/v1/calls/${row.id}/payload?part=request&max_bytes=25`, { org: 'org-a' });
    expect(cut.body).toMatchObject({ truncated: true, stored_bytes: whole.body.stored_bytes });
    expect(cut.body.json).toBe(whole.body.json.slice(0, cut.body.json.length));
    expect(Buffer.byteLength(cut.body.json)).toBeLessThanOrEqual(25);
    const response = await api<Wire.PayloadBody>(`/api/v1/calls/${row.id}/payload?part=response`, { org: 'org-a' });
    expect(JSON.parse(response.body.json)).toBeTruthy();
  });

  it("answers 404 for an unknown id and for another organization's call", async () => {
    expect((await api(`/api/v1/calls/no-such-call`, { org: 'org-a' })).status).toBe(404);
    const foreign = of('org-b')[0]!;
    const answer = await api<Wire.ApiErrorBody>(`/api/v1/calls/${foreign.id}`, { org: 'org-a' });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toContain(foreign.id);
    expect((await api(`/api/v1/calls/${foreign.id}/payload`, { org: 'org-a' })).status).toBe(404);
  });
});

describe('GET /api/v1/traces/:trace_id', () => {
  const toolTrace = () => traces.find((trace) => trace.fixture === 'ai@6/tool-call-anthropic' && trace.organizationId === 'org-a')!;

  it('gives the two-service waterfall skeleton, nested, with its LLM spans marked', async () => {
    const trace = toolTrace();
    const answer = await api<Wire.TraceSkeleton>(`/api/v1/traces/${trace.traceId}`, { org: 'org-a' });
    expect(answer.status).toBe(200);
    const skeleton = answer.body;
    expect(skeleton.services).toEqual(['agent-worker', 'api-gateway']);
    expect(skeleton.span_count).toBe(trace.spans.length);
    expect(skeleton.spans[0]).toMatchObject({
      name: 'POST /v1/agent/run',
      service: 'api-gateway',
      kind: 'Server',
      depth: 0,
      parent_span_id: '',
    });
    expect(skeleton.spans.map((span) => [span.name, span.depth])).toEqual([
      ['POST /v1/agent/run', 0],
      ['ai.generateText', 1],
      ['ai.generateText.doGenerate', 2],
      ['ai.toolCall', 2],
      ['ai.generateText.doGenerate', 2],
    ]);
    const calls = of('org-a').filter((call) => call.trace_id === trace.traceId);
    const llm = skeleton.spans.filter((span) => span.llm !== null);
    expect(llm.map((span) => span.llm!.call_id).sort()).toEqual(calls.map((call) => call.id).sort());
    expect(skeleton.totals).toMatchObject({ calls: 2, cost_usd: sumUsd(calls.map((call) => call.cost_usd)) });
    expect(skeleton.spans.every((span) => !('attributes' in span))).toBe(true);
    expect(BigInt(skeleton.end_ns) - BigInt(skeleton.start_ns)).toBe(BigInt(skeleton.spans[0]!.duration_ns));
  });

  it('gives one span with its attributes, events and resource', async () => {
    const trace = toolTrace();
    const skeleton = (await api<Wire.TraceSkeleton>(`/api/v1/traces/${trace.traceId}`, { org: 'org-a' })).body;
    const tool = skeleton.spans.find((span) => span.name === 'ai.toolCall')!;
    const answer = await api<Wire.SpanDetail>(`/api/v1/traces/${trace.traceId}/spans/${tool.span_id}`, { org: 'org-a' });
    expect(answer.status).toBe(200);
    expect(answer.body.attributes['ai.toolCall.name']).toBe('getWeather');
    expect(answer.body.attributes['llm_traces.run_id']).toBe(trace.runId);
    expect(answer.body.resource_attributes['service.name']).toBe('agent-worker');
    expect(answer.body.capped_values).toBe(0);
    expect((await api(`/api/v1/traces/${trace.traceId}/spans/ffffffffffffffff`, { org: 'org-a' })).status).toBe(404);
  });

  it('exports the trace as OTLP/JSON grouped by resource and scope', async () => {
    const trace = toolTrace();
    const answer = await api<Wire.OtlpExportTraceServiceRequest>(`/api/v1/traces/${trace.traceId}/otlp`, { org: 'org-a' });
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename="trace-7[0-9a-f]+\.otlp\.json"$/);
    const services = answer.body.resourceSpans.map(
      (resource) => resource.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue,
    );
    expect(services.sort()).toEqual(['agent-worker', 'api-gateway']);
    const spans = answer.body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    expect(spans).toHaveLength(trace.spans.length);
    const gateway = spans.find((span) => span.name === 'POST /v1/agent/run')!;
    expect(gateway).toMatchObject({ traceId: trace.traceId, kind: 2, status: { code: 1 }, parentSpanId: '' });
    expect(BigInt(gateway.endTimeUnixNano) > BigInt(gateway.startTimeUnixNano)).toBe(true);
  });

  it("hides another organization's trace and an unknown one", async () => {
    const foreign = traces.find((trace) => trace.organizationId === 'org-b')!;
    for (const suffix of ['', '/otlp', `/spans/${foreign.spans[0]!.spanContext().spanId}`]) {
      expect((await api(`/api/v1/traces/${foreign.traceId}${suffix}`, { org: 'org-a' })).status).toBe(404);
      expect((await api(`/api/v1/traces/${foreign.traceId}${suffix}`, { org: 'org-b' })).status).toBe(200);
    }
    expect((await api('/api/v1/traces/0123456789abcdef0123456789abcdef', { org: 'org-a' })).status).toBe(404);
  });
});

describe('runs and agents', () => {
  it('pages runs by cost with their sums, no duplicate or gap', async () => {
    const { pages, items } = await allPages<Wire.RunSummary>(`/api/v1/runs?${inWindow('sort=cost&limit=7')}`, 'org-a');
    const runs = new Map<string, StoredCall[]>();
    for (const call of of('org-a')) runs.set(call.run_id, [...(runs.get(call.run_id) ?? []), call]);
    expect(pages.length).toBe(Math.ceil(runs.size / 7));
    expect(items.map((item) => item.run_id).sort()).toEqual([...runs.keys()].sort());
    for (const item of items) {
      const calls = runs.get(item.run_id)!;
      expect(item).toMatchObject({
        calls: calls.length,
        errors: calls.filter((call) => call.is_error).length,
        prompt_tokens: calls.reduce((sum, call) => sum + call.prompt_tokens, 0),
        cost_usd: sumUsd(calls.map((call) => call.cost_usd)),
        traces: new Set(calls.map((call) => call.trace_id)).size,
      });
    }
    const costs = items.map((item) => (item.cost_usd === null ? -1 : Number(item.cost_usd)));
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
  });

  it('lists agents with their runs and sums', async () => {
    const scoped = await api<Wire.AgentList>(`/api/v1/agents?${inWindow()}`, { org: 'org-a' });
    for (const agent of scoped.body.items) {
      const calls = of('org-a').filter((call) => call.agent_id === agent.agent_id);
      expect(agent).toMatchObject({
        calls: calls.length,
        runs: new Set(calls.map((call) => call.run_id)).size,
        tokens: calls.reduce((sum, call) => sum + call.total_tokens, 0),
        cost_usd: sumUsd(calls.map((call) => call.cost_usd)),
      });
    }
    expect(scoped.body.items.map((agent) => agent.agent_id).sort()).toEqual(['agent-0', 'agent-1', 'agent-2']);
  });

  it('gives a run with its traces, calls in order and context growth', async () => {
    const runId = 'run-5';
    const answer = await api<Wire.RunDetail>(`/api/v1/runs/${runId}`, { org: 'org-a' });
    expect(answer.status).toBe(200);
    const calls = of('org-a').filter((call) => call.run_id === runId);
    expect(answer.body.calls.map((call) => call.id)).toEqual(
      newestFirst(calls)
        .reverse()
        .map((call) => call.id),
    );
    expect(answer.body.traces.map((trace) => trace.trace_id).sort()).toEqual([...new Set(calls.map((call) => call.trace_id))].sort());
    expect(answer.body.totals.cost_usd).toBe(sumUsd(calls.map((call) => call.cost_usd)));
    for (const point of answer.body.context_growth) {
      const call = calls.find((each) => each.id === point.call_id)!;
      if (!call.has_usage) {
        expect(point.new_input_tokens).toBeNull();
        continue;
      }
      expect(point.prompt_tokens).toBe(call.prompt_tokens);
      expect(point.new_input_tokens).toBe(call.prompt_tokens - (call.cached_input_tokens ?? 0) - (call.cache_write_tokens ?? 0));
    }
    expect((await api(`/api/v1/runs/${runId}`, { org: 'org-b' })).status).toBe(404);
    expect((await api('/api/v1/runs/no-such-run', { org: 'org-a' })).status).toBe(404);
  });
});

describe('GET /api/v1/usage', () => {
  it('charts the window by hour with totals that add up to the calls', async () => {
    const answer = await api<Wire.UsageResponse>(`/api/v1/usage?${inWindow('group_by=provider')}`, { org: 'org-a' });
    expect(answer.status).toBe(200);
    const usage = answer.body;
    expect(usage.bucket).toBe('hour');
    const calls = of('org-a');
    for (const series of usage.series) {
      expect(series.calls).toHaveLength(usage.buckets.length);
      const own = calls.filter((call) => call.provider === series.key);
      expect(series.calls.reduce((a, b) => a + b, 0)).toBe(own.length);
      expect(sumUsd(series.cost_usd)).toBe(sumUsd(own.map((call) => call.cost_usd)));
    }
    expect(usage.overall.reduce((sum, point) => sum + point.calls, 0)).toBe(calls.length);
    const cached = usage.overall.filter((point) => point.cached_input_tokens > 0);
    expect(cached.length).toBeGreaterThan(0);
    for (const point of cached) {
      expect(point.cache_hit_ratio).toBeCloseTo(point.cached_input_tokens / point.prompt_tokens, 10);
      expect(Number(point.cache_savings_usd)).toBeGreaterThan(0);
    }
    expect(usage.table.reduce((sum, row) => sum + row.calls, 0)).toBe(calls.length);
  });

  it("prices the cache savings at the table's rates", async () => {
    // One call of claude-sonnet-4-6: 1000 cache reads, priced at input minus cache-read rate.
    const trace = traces.find((each) => each.fixture === 'anthropic-sdk@1/messages-cached' && each.organizationId === 'org-a')!;
    const start = new Date(trace.startMs).toISOString();
    const end = new Date(trace.startMs + 1000).toISOString();
    const answer = await api<Wire.UsageResponse>(`/api/v1/usage?start=${start}&end=${end}&bucket=hour`, { org: 'org-a' });
    const entry = BUNDLED_PRICES.find((price) => price.model === 'claude-sonnet-4-6')!;
    const saved = answer.body.overall.find((point) => point.cache_savings_usd !== null)!;
    expect(Number(saved.cache_savings_usd)).toBeCloseTo((1000 * (entry.inputPerMillion - entry.cachedInputPerMillion!)) / 1e6, 9);
  });
});

describe('errors, top-N and compare', () => {
  it('groups errors by provider, type and normalized message with sample calls', async () => {
    const answer = await api<Wire.ErrorGroups>(`/api/v1/errors?${inWindow()}`, { org: 'org-a' });
    const errors = of('org-a').filter((call) => call.is_error);
    expect(answer.body.groups.reduce((sum, group) => sum + group.count, 0)).toBe(errors.length);
    const openai = answer.body.groups.find((group) => group.provider === 'openai')!;
    expect(openai.message).toBe('Rate limit reached for requests. Please try again in <n>s.');
    expect(openai.sample_ids).toHaveLength(5);
    expect(openai.sample_ids.every((id) => errors.some((call) => call.id === id && call.provider === 'openai'))).toBe(true);
  });

  it('lists the most expensive prompts and the largest requests', async () => {
    const cost = await api<Wire.TopCalls>(`/api/v1/top?${inWindow('kind=cost&limit=5')}`, { org: 'org-a' });
    const priced = of('org-a').filter((call) => call.cost_usd !== null);
    const maxCost = Math.max(...priced.map((call) => Number(call.cost_usd)));
    expect(cost.body.items).toHaveLength(5);
    expect(Number(cost.body.items[0]!.cost_usd)).toBe(maxCost);
    const bytes = await api<Wire.TopCalls>(`/api/v1/top?${inWindow('kind=request_bytes&limit=3')}`, { org: 'org-a' });
    expect(bytes.body.items[0]!.request_size_bytes).toBe(Math.max(...of('org-a').map((call) => call.request_size_bytes)));
  });

  it('compares two calls with payloads and deltas', async () => {
    const [a, b] = of('org-a').filter((call) => call.cost_usd !== null);
    const answer = await api<Wire.CallComparison>(`/api/v1/compare?kind=call&a=${a!.id}&b=${b!.id}&max_bytes=100000`, { org: 'org-a' });
    expect(answer.status).toBe(200);
    expect(answer.body.deltas.cost_usd).toBe(formatSigned(parseUsd(b!.cost_usd!) - parseUsd(a!.cost_usd!)));
    expect(answer.body.deltas.latency_ms).toBe(b!.latency_ms - a!.latency_ms);
    expect(JSON.parse(answer.body.payloads.a.request.json)).toBeTruthy();
  });

  it('compares two traces aligned by name path', async () => {
    const [a, b] = traces.filter((trace) => trace.fixture === 'ai@6/tool-call-anthropic' && trace.organizationId === 'org-a');
    const answer = await api<Wire.TraceComparison>(`/api/v1/compare?kind=trace&a=${a!.traceId}&b=${b!.traceId}`, { org: 'org-a' });
    expect(answer.body.aligned.map((entry) => entry.path)).toEqual([
      'POST /v1/agent/run',
      'POST /v1/agent/run > ai.generateText',
      'POST /v1/agent/run > ai.generateText > ai.generateText.doGenerate',
      'POST /v1/agent/run > ai.generateText > ai.toolCall',
      'POST /v1/agent/run > ai.generateText > ai.generateText.doGenerate#2',
    ]);
    expect(answer.body.aligned.every((entry) => entry.a !== null && entry.b !== null)).toBe(true);
    const other = traces.find((trace) => trace.fixture === 'anthropic-sdk@1/messages-cached' && trace.organizationId === 'org-a')!;
    const mixed = await api<Wire.TraceComparison>(`/api/v1/compare?kind=trace&a=${a!.traceId}&b=${other.traceId}`, { org: 'org-a' });
    expect(mixed.body.aligned.filter((entry) => entry.a && entry.b).map((entry) => entry.path)).toEqual(['POST /v1/agent/run']);
    expect(mixed.body.aligned.filter((entry) => entry.b && !entry.a)).toHaveLength(1);
  });

  it('compares two runs step by step', async () => {
    const answer = await api<Wire.RunComparison>('/api/v1/compare?kind=run&a=run-1&b=run-2', { org: 'org-a' });
    expect(answer.status).toBe(200);
    const count = (run: string) => of('org-a').filter((call) => call.run_id === run).length;
    expect(answer.body.steps).toHaveLength(Math.max(count('run-1'), count('run-2')));
    expect(answer.body.deltas.calls).toBe(count('run-2') - count('run-1'));
    expect((await api('/api/v1/compare?kind=run&a=run-1&b=nope', { org: 'org-a' })).status).toBe(404);
  });
});

function formatSigned(nanos: bigint): string {
  return nanos < 0n ? `-${formatUsd(-nanos)}` : formatUsd(nanos);
}

describe('prices and what-if', () => {
  it('lists the table and the models without a price', async () => {
    const answer = await api<Wire.PricesResponse>(`/api/v1/prices?${inWindow()}`, { org: 'org-a' });
    expect(answer.body.entries).toHaveLength(BUNDLED_PRICES.length);
    expect(answer.body.entries.every((entry) => entry.source === 'bundled')).toBe(true);
    // The captured streamed chat reported no usage: unpriceable by any table, so not flagged as a missing price.
    const unknownModel = of('org-a').filter((call) => call.has_usage && call.cost_usd === null);
    expect(answer.body.unpriced_models.reduce((sum, model) => sum + model.calls, 0)).toBe(unknownModel.length);
  });

  it('reprices the filtered set under edited entries without writing anything', async () => {
    const entry = BUNDLED_PRICES.find((price) => price.model === 'claude-sonnet-4-6')!;
    const doubled = {
      ...entry,
      inputPerMillion: entry.inputPerMillion * 2,
      outputPerMillion: entry.outputPerMillion * 2,
      cachedInputPerMillion: entry.cachedInputPerMillion! * 2,
      cacheWritePerMillion: entry.cacheWritePerMillion! * 2,
      tiers: undefined,
    };
    const body = JSON.stringify({ entries: [doubled] });
    const headers = { 'Content-Type': 'application/json' };
    const answer = await api<Wire.WhatIfResponse>(`/api/v1/prices/what-if?${inWindow('provider=anthropic')}`, {
      org: 'org-a',
      method: 'POST',
      body,
      headers,
    });
    expect(answer.status).toBe(200);
    const anthropic = of('org-a').filter((call) => call.provider === 'anthropic');
    expect(answer.body.current.cost_usd).toBe(sumUsd(anthropic.map((call) => call.cost_usd)));
    expect(answer.body.what_if.cost_usd).toBe(formatUsd(parseUsd(answer.body.current.cost_usd!) * 2n));
    // By the model as a user names it: the requested name, without a snapshot date (reader/model-key.ts).
    const modelKeys = anthropic.map((call) => (call.request_model || call.model).replace(/(-\d{2,})+$/, ''));
    expect(answer.body.by_model.map((model) => model.model).sort()).toEqual([...new Set(modelKeys)].sort());
    expect(answer.body.command).toMatch(/^llm-traces reprice --start \S+ --prices-file prices\.json$/);
    const after = await api<Wire.CallTotals>(`/api/v1/calls/totals?${inWindow('provider=anthropic')}`, { org: 'org-a' });
    expect(after.body.cost_usd).toBe(answer.body.current.cost_usd);
  });

  it('refuses a body that is not JSON-typed, bad entries and the wrong method', async () => {
    const body = JSON.stringify({ entries: [] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await api(`/api/v1/prices/what-if`, { org: 'org-a', method: 'POST', body, headers: { 'Content-Type': type } });
      expect(answer.status, type).toBe(415);
    }
    const bad = await api<Wire.ApiErrorBody>('/api/v1/prices/what-if', {
      org: 'org-a',
      method: 'POST',
      body: JSON.stringify({ entries: [{ model: 'x', inputPerMillion: -1, outputPerMillion: 1 }] }),
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect(bad).toMatchObject({ status: 400, body: { parameter: 'entries' } });
    expect(bad.body.error).toMatch(/entries\[0\]\.inputPerMillion/);
    const notJson = await api<Wire.ApiErrorBody>('/api/v1/prices/what-if', {
      org: 'org-a',
      method: 'POST',
      body: '{',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(notJson).toMatchObject({ status: 400, body: { parameter: 'body' } });
    const get = await api('/api/v1/prices/what-if', { org: 'org-a' });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await api('/api/v1/calls', { org: 'org-a', method: 'DELETE' })).status).toBe(405);
  });
});

describe('GET /api/v1/export', () => {
  it('streams every call of the filtered set as CSV, oldest first, across more rows than a page', async () => {
    const response = await fetch(`${server.url}/api/v1/export?${inWindow('format=csv')}`, {
      headers: { ...AUTH, 'X-Organization-Id': 'org-a' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="llm-calls-.+\.csv"$/);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await response.text()).trimEnd().split('\r\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 3)).toEqual(['id', 'time', 'time_ns']);
    const rows = lines.slice(1);
    expect(of('org-a').length).toBeGreaterThan(EXPORT_PAGE_SIZE * 3);
    expect(rows.map((line) => line.split(',')[0])).toEqual(
      newestFirst(of('org-a'))
        .reverse()
        .map((call) => call.id),
    );
    const costColumn = header.indexOf('cost_usd');
    const first = newestFirst(of('org-a')).at(-1)!;
    expect(rows[0]!.split(',')[costColumn]).toBe(first.cost_usd ?? '');
  });

  it('streams JSONL under the filters', async () => {
    const answer = await api<string>(`/api/v1/export?${inWindow('format=jsonl&errors=1')}`, { org: 'org-a' });
    expect(answer.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = answer.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Wire.CallSummary);
    expect(lines.map((line) => line.id)).toEqual(
      newestFirst(of('org-a').filter((call) => call.is_error))
        .reverse()
        .map((call) => call.id),
    );
    expect(lines.every((line) => line.is_error && line.organization_id === 'org-a')).toBe(true);
  });
});

describe('organization scoping', () => {
  it('shows each organization only its own calls, and an unknown one nothing', async () => {
    const b = await api<Wire.CallPage>(`/api/v1/calls?${inWindow('limit=500')}`, { org: 'org-b' });
    expect(b.body.items.map((item) => item.id)).toEqual(newestFirst(of('org-b')).map((call) => call.id));
    const viaParam = await api<Wire.CallPage>(`/api/v1/calls?${inWindow('limit=500&organization_id=org-b')}`);
    expect(viaParam.body.items).toHaveLength(of('org-b').length);
    const nobody = 'org-nobody';
    expect((await api<Wire.CallPage>(`/api/v1/calls?${inWindow()}`, { org: nobody })).body.items).toEqual([]);
    expect((await api<Wire.CallTotals>(`/api/v1/calls/totals?${inWindow()}`, { org: nobody })).body).toMatchObject({
      calls: 0,
      cost_usd: null,
    });
    expect((await api<Wire.RunPage>(`/api/v1/runs?${inWindow()}`, { org: nobody })).body.items).toEqual([]);
    expect((await api<Wire.UsageResponse>(`/api/v1/usage?${inWindow()}`, { org: nobody })).body.series).toEqual([]);
    expect((await api<Wire.ErrorGroups>(`/api/v1/errors?${inWindow()}`, { org: nobody })).body.groups).toEqual([]);
    expect((await api<string>(`/api/v1/export?${inWindow('format=jsonl')}`, { org: nobody })).body).toBe('');
    const facets = await api<Wire.CallFacets>(`/api/v1/calls/facets?${inWindow()}`, { org: nobody });
    expect(Object.values(facets.body).every((values) => values.length === 0)).toBe(true);
  });
});

describe('bad parameters', () => {
  const cases: Array<[string, string]> = [
    ['/api/v1/calls?colour=red', 'colour'],
    ['/api/v1/calls?limit=1&limit=2', 'limit'],
    ['/api/v1/calls?limit=0', 'limit'],
    ['/api/v1/calls?limit=501', 'limit'],
    ['/api/v1/calls?start=yesterday', 'start'],
    ['/api/v1/calls?start=2026-02-01&end=2026-01-01', 'start'],
    ['/api/v1/calls?sort=price', 'sort'],
    ['/api/v1/calls?order=up', 'order'],
    ['/api/v1/calls?errors=2', 'errors'],
    ['/api/v1/calls?min_cost=abc', 'min_cost'],
    ['/api/v1/calls?min_prompt_tokens=-1', 'min_prompt_tokens'],
    ['/api/v1/calls?q=', 'q'],
    ['/api/v1/calls?cursor=garbage', 'cursor'],
    ['/api/v1/calls/x/payload?part=config', 'part'],
    ['/api/v1/calls/x/payload?max_bytes=0', 'max_bytes'],
    ['/api/v1/usage?bucket=week', 'bucket'],
    ['/api/v1/usage?group_by=user', 'group_by'],
    ['/api/v1/usage?bucket=hour&start=2020-01-01', 'bucket'],
    ['/api/v1/runs?sort=name', 'sort'],
    ['/api/v1/top?kind=latency', 'kind'],
    ['/api/v1/compare?kind=call&a=x', 'b'],
    ['/api/v1/compare?kind=span&a=x&b=y', 'kind'],
    ['/api/v1/export?format=xlsx', 'format'],
    ['/api/v1/traces/x?limit=100001', 'limit'],
    ['/api/v1/session?start=2026-01-01', 'start'],
  ];

  it.each(cases)('%s is a 400 naming %s', async (route, parameter) => {
    const answer = await api<Wire.ApiErrorBody>(route, { org: 'org-a' });
    expect(answer.status).toBe(400);
    expect(answer.body.parameter).toBe(parameter);
    expect(answer.body.error).toContain(parameter);
  });

  it('refuses a cursor issued for another sort, and a forged one', async () => {
    const page = await api<Wire.CallPage>(`/api/v1/calls?${inWindow('limit=5&sort=cost')}`, { org: 'org-a' });
    const cursor = page.body.next_cursor!;
    const other = await api<Wire.ApiErrorBody>(`/api/v1/calls?limit=5&sort=time&cursor=${cursor}`, { org: 'org-a' });
    expect(other).toMatchObject({ status: 400, body: { parameter: 'cursor' } });
    const forged = Buffer.from(
      JSON.stringify({
        list: 'calls',
        sort: 'cost',
        order: 'desc',
        window: [0, Date.now()],
        after: { key: "1'; DROP TABLE x", timeNs: '1', id: 'a' },
      }),
    ).toString('base64url');
    const refused = await api<Wire.ApiErrorBody>(`/api/v1/calls?sort=cost&cursor=${forged}`, { org: 'org-a' });
    expect(refused).toMatchObject({ status: 400, body: { parameter: 'cursor' } });
    const runsCursor = (await api<Wire.RunPage>(`/api/v1/runs?${inWindow('limit=2')}`, { org: 'org-a' })).body.next_cursor!;
    expect((await api(`/api/v1/calls?cursor=${runsCursor}`, { org: 'org-a' })).status).toBe(400);
  });

  it('answers 404 for an unknown route under /api/v1', async () => {
    const answer = await api<Wire.ApiErrorBody>('/api/v1/nothing-here', { org: 'org-a' });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toContain('/api/v1/nothing-here');
  });

  it('compresses large JSON answers when the client accepts it', async () => {
    const response = await fetch(`${server.url}/api/v1/calls?${inWindow('limit=100')}`, {
      headers: { ...AUTH, 'X-Organization-Id': 'org-a', 'Accept-Encoding': 'gzip' },
    });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(((await response.json()) as Wire.CallPage).items).toHaveLength(100);
  });
});
