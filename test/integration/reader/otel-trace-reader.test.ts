import type { ClickHouseClient } from '@clickhouse/client';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtelTraceReader, ReaderArgumentError, type TraceSpan } from '../../../src/reader/index.js';
import { ensureSchema } from '../../../src/schema/migrate.js';
import { useTestStore } from '../../support/store.js';
import { createdAtText, insertable, makeRow } from './llm-fixture.js';

const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';
/** 2026-11-22T11:26:03.970123457Z: every span time below is an exact nanosecond offset from it. */
const T0 = 1_795_346_763_970_123_457n;

interface SpanInput {
  traceId?: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** Nanoseconds after T0. */
  offsetNs: bigint;
  durationNs?: string;
  kind?: string;
  status?: string;
  attributes?: Record<string, string>;
  events?: Array<{ offsetNs: bigint; name: string; attributes: Record<string, string> }>;
  links?: Array<{ traceId: string; spanId: string; traceState: string; attributes: Record<string, string> }>;
}

/** A row as the Collector (and this package's exporter) inserts it. */
function collectorRow(span: SpanInput, { withScope = true } = {}): Record<string, unknown> {
  return {
    Timestamp: (T0 + span.offsetNs).toString(),
    TraceId: span.traceId ?? TRACE_A,
    SpanId: span.spanId,
    ParentSpanId: span.parentSpanId ?? 'aaaaaaaaaaaaaaa1',
    TraceState: '',
    SpanName: span.name,
    SpanKind: span.kind ?? 'Internal',
    ServiceName: 'agent-api',
    ResourceAttributes: { 'service.name': 'agent-api' },
    ...(withScope ? { ScopeName: 'llm-traces-test', ScopeVersion: '1.0.0' } : {}),
    SpanAttributes: span.attributes ?? {},
    Duration: span.durationNs ?? '1000',
    StatusCode: span.status ?? 'Unset',
    StatusMessage: '',
    'Events.Timestamp': (span.events ?? []).map((event) => (T0 + event.offsetNs).toString()),
    'Events.Name': (span.events ?? []).map((event) => event.name),
    'Events.Attributes': (span.events ?? []).map((event) => event.attributes),
    'Links.TraceId': (span.links ?? []).map((link) => link.traceId),
    'Links.SpanId': (span.links ?? []).map((link) => link.spanId),
    'Links.TraceState': (span.links ?? []).map((link) => link.traceState),
    'Links.Attributes': (span.links ?? []).map((link) => link.attributes),
  };
}

/** Trace A: one span per convention the run view shows, and noise it must leave out. Listed out of time order. */
const traceA: SpanInput[] = [
  { spanId: 'aaaaaaaaaaaaaa07', name: 'pg.query SELECT', offsetNs: 700_000_001n },
  {
    spanId: 'aaaaaaaaaaaaaaa1',
    parentSpanId: '',
    name: 'POST /v1/agents/run',
    kind: 'Server',
    offsetNs: 0n,
    durationNs: '9007199254740993',
  },
  {
    spanId: 'aaaaaaaaaaaaaa02',
    name: 'invoke_agent support-bot',
    offsetNs: 100_000_001n,
    attributes: { 'gen_ai.operation.name': 'invoke_agent' },
  },
  { spanId: 'aaaaaaaaaaaaaa03', name: 'step 1', offsetNs: 150_000_002n },
  {
    spanId: 'aaaaaaaaaaaaaa04',
    name: 'chat gpt-4o',
    kind: 'Client',
    status: 'Error',
    offsetNs: 200_000_003n,
    durationNs: '812345678',
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
    events: [
      { offsetNs: 300_000_007n, name: 'gen_ai.first_token', attributes: {} },
      { offsetNs: 999_999_999n, name: 'exception', attributes: { 'exception.type': 'RateLimitError' } },
    ],
    links: [{ traceId: TRACE_B, spanId: 'bbbbbbbbbbbbbbb1', traceState: 'vendor=1', attributes: { reason: 'retry' } }],
  },
  { spanId: 'aaaaaaaaaaaaaa05', name: 'HTTP POST', kind: 'Client', offsetNs: 210_000_000n },
  {
    spanId: 'aaaaaaaaaaaaaa06',
    name: 'execute_tool get_weather',
    offsetNs: 600_000_000n,
    attributes: { 'gen_ai.tool.name': 'get_weather' },
  },
  { spanId: 'aaaaaaaaaaaaaa08', name: 'ai.streamText', offsetNs: 800_000_000n },
  { spanId: 'aaaaaaaaaaaaaa09', name: 'ai.streamText.doStream', offsetNs: 800_000_500n },
  { spanId: 'aaaaaaaaaaaaaa10', name: 'llm.time_to_first_token', offsetNs: 900_000_000n },
  {
    spanId: 'aaaaaaaaaaaaaa11',
    name: 'OpenAI Chat Completions',
    offsetNs: 1_000_000_000n,
    attributes: { 'openinference.span.kind': 'LLM' },
  },
  { spanId: 'aaaaaaaaaaaaaa12', name: 'vector search', offsetNs: 1_100_000_000n, attributes: { 'openinference.span.kind': 'RETRIEVER' } },
  { spanId: 'aaaaaaaaaaaaaa13', name: 'LettaAgent.step', offsetNs: 1_200_000_000n },
  { spanId: 'aaaaaaaaaaaaaa14', name: 'ai.toolCall', offsetNs: 1_300_000_000n },
  { spanId: 'aaaaaaaaaaaaaa15', name: 'custom llm call', offsetNs: 1_400_000_000n, attributes: { 'llm_traces.request_json': '{}' } },
  { spanId: 'aaaaaaaaaaaaaa16', name: 'dns.lookup', offsetNs: 1_500_000_000n },
  // Past the next whole second: the lookup table's `End + 1` must still cover it.
  { spanId: 'aaaaaaaaaaaaaa17', name: 'agent_step', offsetNs: 1_999_999_999n },
];
const UI_SPAN_IDS = ['a1', '02', '03', '04', '06', '09', '10', '11', '13', '14', '15', '17'].map((suffix) => suffix.padStart(16, 'a'));
const ALL_SPAN_IDS = ['a1', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17'].map((s) =>
  s.padStart(16, 'a'),
);

const traceB: SpanInput[] = [
  { traceId: TRACE_B, spanId: 'bbbbbbbbbbbbbbb1', parentSpanId: '', name: 'POST /v1/other', offsetNs: 5_000_000_000n },
  {
    traceId: TRACE_B,
    spanId: 'bbbbbbbbbbbbbbb2',
    parentSpanId: 'bbbbbbbbbbbbbbb1',
    name: 'chat claude',
    offsetNs: 5_100_000_000n,
    attributes: { 'gen_ai.operation.name': 'chat' },
  },
];

const store = useTestStore();
const debugLines: string[] = [];

/** An llm_traces row of call i, in run `runId` of the trace. */
function llmCall(i: number, organizationId: string, runId: string, traceId: string): Record<string, unknown> {
  return { ...insertable(makeRow(i)), organization_id: organizationId, run_id: runId, trace_id: traceId, created_at: createdAtText(i) };
}

type QueryParams = Parameters<ClickHouseClient['query']>[0];

/** The store's client, recording every query sent through it. */
function recordingClient(): { client: ClickHouseClient; sent: QueryParams[] } {
  const sent: QueryParams[] = [];
  const client = new Proxy(store.client, {
    get: (target, property, receiver) =>
      property === 'query' ? (params: QueryParams) => (sent.push(params), target.query(params)) : Reflect.get(target, property, receiver),
  });
  return { client, sent };
}

/** What the Min-Max index on Timestamp keeps of otel_traces for a query, as `EXPLAIN indexes = 1` reports it. */
async function timestampIndexParts(sent: QueryParams): Promise<{ initial: number; selected: number }> {
  const result = await store.client.query({ ...sent, query: `EXPLAIN json = 1, indexes = 1 ${sent.query}`, format: 'TabSeparatedRaw' });
  const reads: Array<{ Indexes?: Array<Record<string, unknown>> }> = [];
  const collect = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if ((node as Record<string, unknown>)['Node Type'] === 'ReadFromMergeTree')
      reads.push(node as { Indexes?: Array<Record<string, unknown>> });
    Object.values(node).forEach(collect);
  };
  collect(JSON.parse(await result.text()));
  expect(reads).toHaveLength(1);
  const minMax = reads[0]!.Indexes?.find((index) => index.Type === 'Min-Max');
  if (!minMax) throw new Error(`no Min-Max index use in ${JSON.stringify(reads[0])}`);
  return { initial: Number(minMax['Initial Parts']), selected: Number(minMax['Selected Parts']) };
}

beforeAll(async () => {
  const logger: DiagLogger = {
    debug: (...args) => debugLines.push(args.join(' ')),
    info: () => {},
    warn: () => {},
    error: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, DiagLogLevel.DEBUG);
  await ensureSchema(store.client, {
    database: 'otel',
    tracesTable: 'otel_traces',
    llmTable: 'llm_traces',
    ttlDays: undefined,
    cluster: undefined,
  });
  await store.client.insert({
    table: 'otel.otel_traces',
    values: [...traceA, ...traceB].map((span) => collectorRow(span)),
    format: 'JSONEachRow',
  });
  // run-7 of org-a lives in trace A (two calls); run-7 of org-b in trace B.
  await store.client.insert({
    table: 'otel.llm_traces',
    values: [llmCall(1, 'org-a', 'run-7', TRACE_A), llmCall(2, 'org-a', 'run-7', TRACE_A), llmCall(3, 'org-b', 'run-7', TRACE_B)],
    format: 'JSONEachRow',
  });
});

afterAll(async () => {
  diag.disable();
});

const ids = (spans: TraceSpan[]) => spans.map((span) => span.spanId);

describe('OtelTraceReader on the current otel_traces DDL', () => {
  // Trace A holds LLM calls of org-a only, so it is org-a's trace.
  const reader = () => new OtelTraceReader({ client: store.client, organizationId: 'org-a' });

  it('shows a trace only to the organization its LLM calls belong to', async () => {
    expect(ids(await reader().getTraceSpans(TRACE_A))).toHaveLength(ALL_SPAN_IDS.length);
    expect(await new OtelTraceReader({ client: store.client, organizationId: 'org-b' }).getTraceSpans(TRACE_A)).toEqual([]);
    expect(await new OtelTraceReader({ client: store.client }).getTraceSpans(TRACE_A)).toEqual([]);
  });

  it('returns every span of the trace ordered by start time, bounded by the lookup table', async () => {
    debugLines.length = 0;
    const spans = await reader().getTraceSpans(TRACE_A);
    expect(ids(spans)).toEqual(ALL_SPAN_IDS);
    expect(debugLines).toEqual([]);
  });

  it('returns typed spans with exact nanosecond times and durations', async () => {
    const spans = await reader().getTraceSpans(TRACE_A);
    const root = spans[0]!;
    expect(root).toMatchObject({
      timestampNs: '1795346763970123457',
      traceId: TRACE_A,
      parentSpanId: '',
      spanName: 'POST /v1/agents/run',
      spanKind: 'Server',
      durationNs: '9007199254740993',
      scopeName: 'llm-traces-test',
      scopeVersion: '1.0.0',
      resourceAttributes: { 'service.name': 'agent-api' },
    });
    expect(root.timestamp.toISOString()).toBe('2026-11-22T11:26:03.970Z');
    const chat = spans.find((span) => span.spanName === 'chat gpt-4o')!;
    expect(chat).toEqual({
      timestamp: new Date('2026-11-22T11:26:04.170Z'),
      timestampNs: '1795346764170123460',
      traceId: TRACE_A,
      spanId: 'aaaaaaaaaaaaaa04',
      parentSpanId: 'aaaaaaaaaaaaaaa1',
      traceState: '',
      spanName: 'chat gpt-4o',
      spanKind: 'Client',
      serviceName: 'agent-api',
      resourceAttributes: { 'service.name': 'agent-api' },
      scopeName: 'llm-traces-test',
      scopeVersion: '1.0.0',
      spanAttributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
      durationNs: '812345678',
      durationMs: 812.345678,
      statusCode: 'Error',
      statusMessage: '',
      events: [
        { timestamp: new Date('2026-11-22T11:26:04.270Z'), timestampNs: '1795346764270123464', name: 'gen_ai.first_token', attributes: {} },
        {
          timestamp: new Date('2026-11-22T11:26:04.970Z'),
          timestampNs: '1795346764970123456',
          name: 'exception',
          attributes: { 'exception.type': 'RateLimitError' },
        },
      ],
      links: [{ traceId: TRACE_B, spanId: 'bbbbbbbbbbbbbbb1', traceState: 'vendor=1', attributes: { reason: 'retry' } }],
    });
  });

  it('keeps only the run-view spans with uiSpansOnly', async () => {
    const spans = await reader().getTraceSpans(TRACE_A, { uiSpansOnly: true });
    expect(ids(spans)).toEqual(UI_SPAN_IDS);
  });

  it('applies the limit after ordering and checks it', async () => {
    expect(ids(await reader().getTraceSpans(TRACE_A, { limit: 3 }))).toEqual(ALL_SPAN_IDS.slice(0, 3));
    for (const limit of [0, 5001, -1, 2.5]) {
      await expect(reader().getTraceSpans(TRACE_A, { limit })).rejects.toThrow(ReaderArgumentError);
    }
    await expect(reader().getTraceSpans(TRACE_A, { limit: 5001 })).rejects.toThrow(
      'llm-traces reader: limit must be an integer from 1 to 5000 (got 5001)',
    );
    await expect(reader().getTraceSpans('')).rejects.toThrow('traceId must be a non-empty string');
    expect(ids(await reader().getTraceSpans(TRACE_A, { limit: 5000 }))).toEqual(ALL_SPAN_IDS);
  });

  it('returns nothing for an unknown trace', async () => {
    expect(await reader().getTraceSpans('ffffffffffffffffffffffffffffffff')).toEqual([]);
  });

  it("finds a run's trace within the organization and returns its run-view spans", async () => {
    const orgA = new OtelTraceReader({ client: store.client, organizationId: 'org-a' });
    const runA = await orgA.getRunTrace('run-7');
    expect(runA!.traceId).toBe(TRACE_A);
    expect(ids(runA!.spans)).toEqual(UI_SPAN_IDS);
    expect(ids((await orgA.getRunTrace('run-7', { uiSpansOnly: false, limit: 2 }))!.spans)).toEqual(ALL_SPAN_IDS.slice(0, 2));
    const runB = await new OtelTraceReader({ client: store.client, organizationId: 'org-b' }).getRunTrace('run-7');
    expect(runB!.traceId).toBe(TRACE_B);
    expect(ids(runB!.spans)).toEqual(['bbbbbbbbbbbbbbb1', 'bbbbbbbbbbbbbbb2']);
    expect(await new OtelTraceReader({ client: store.client }).getRunTrace('run-7')).toBeNull();
    expect(await orgA.getRunTrace('run-unknown')).toBeNull();
    await expect(orgA.getRunTrace('run-7', { limit: 0 })).rejects.toThrow('limit must be an integer from 1 to 5000');
  });

  it('returns a run whose trace has no span to show with its trace id and no spans', async () => {
    const traceWithoutSpans = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
    await store.client.insert({
      table: 'otel.llm_traces',
      values: [llmCall(4, 'org-a', 'run-8', traceWithoutSpans)],
      format: 'JSONEachRow',
    });
    const orgA = new OtelTraceReader({ client: store.client, organizationId: 'org-a' });
    expect(await orgA.getRunTrace('run-8')).toMatchObject({
      runId: 'run-8',
      traceId: traceWithoutSpans,
      traces: [expect.objectContaining({ traceId: traceWithoutSpans, calls: 1 })],
      totals: expect.objectContaining({ calls: 1 }),
      spans: [],
      truncated: false,
    });
    expect(await new OtelTraceReader({ client: store.client, organizationId: 'org-b' }).getRunTrace('run-8')).toBeNull();
  });

  it('bounds the span read by the lookup table, and reads a trace missing from it unbounded', async () => {
    // Without the view, inserts do not reach the lookup table, so its rows can be set by hand.
    await store.client.command({ query: 'DROP VIEW otel.otel_traces_trace_id_ts_mv' });
    const traceC = 'cccccccccccccccccccccccccccccccc';
    const traceD = 'dddddddddddddddddddddddddddddddd';
    // Two days later: another partition (PARTITION BY toDate(Timestamp)).
    const later = 2n * 86_400_000_000_000n;
    const spans: SpanInput[] = [
      { traceId: traceC, spanId: 'ccccccccccccccc1', parentSpanId: '', name: 'early', offsetNs: 0n },
      { traceId: traceC, spanId: 'ccccccccccccccc2', name: 'late', offsetNs: later },
      { traceId: traceD, spanId: 'ddddddddddddddd1', parentSpanId: '', name: 'early', offsetNs: 0n },
      { traceId: traceD, spanId: 'ddddddddddddddd2', name: 'late', offsetNs: later },
    ];
    await store.client.insert({ table: 'otel.otel_traces', values: spans.map((span) => collectorRow(span)), format: 'JSONEachRow' });
    const earlySecond = Number(T0 / 1_000_000_000n);
    await store.client.insert({
      table: 'otel.otel_traces_trace_id_ts',
      values: [{ TraceId: traceC, Start: earlySecond, End: earlySecond }],
      format: 'JSONEachRow',
    });
    const { client, sent } = recordingClient();
    const reader = new OtelTraceReader({ client });
    debugLines.length = 0;
    // The lookup table puts trace C in one second: the parts of the later day are not even looked at.
    expect(ids(await reader.getTraceSpans(traceC))).toEqual(['ccccccccccccccc1']);
    const bounded = await timestampIndexParts(sent.at(-1)!);
    expect(bounded.selected).toBeGreaterThan(0);
    expect(bounded.selected).toBeLessThan(bounded.initial);
    // Trace D is not in the lookup table: the whole table is searched.
    expect(ids(await reader.getTraceSpans(traceD))).toEqual(['ddddddddddddddd1', 'ddddddddddddddd2']);
    expect(debugLines).toEqual([]);
  });

  it('rejects bad identifiers and reports a missing table clearly', async () => {
    expect(() => new OtelTraceReader({ client: store.client, table: 'otel_traces`' })).toThrow(ReaderArgumentError);
    expect(() => new OtelTraceReader({ client: store.client, organizationId: 7 as unknown as string })).toThrow(
      'organizationId must be a string',
    );
    await expect(
      new OtelTraceReader({ client: store.client, table: 'no_such_table', organizationId: 'org-a' }).getTraceSpans(TRACE_A),
    ).rejects.toThrow('llm-traces reader: table `otel`.`no_such_table` does not exist');
  });
});

describe('OtelTraceReader on older Collector tables', () => {
  /** The Collector's first traces table (2022): Duration Int64, no Scope columns, bloom filters only, no lookup table. */
  const ORIGINAL_DDL = `
    CREATE TABLE legacy.otel_traces (
      Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
      TraceId String CODEC(ZSTD(1)),
      SpanId String CODEC(ZSTD(1)),
      ParentSpanId String CODEC(ZSTD(1)),
      TraceState String CODEC(ZSTD(1)),
      SpanName LowCardinality(String) CODEC(ZSTD(1)),
      SpanKind LowCardinality(String) CODEC(ZSTD(1)),
      ServiceName LowCardinality(String) CODEC(ZSTD(1)),
      ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
      SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
      Duration Int64 CODEC(ZSTD(1)),
      StatusCode LowCardinality(String) CODEC(ZSTD(1)),
      StatusMessage String CODEC(ZSTD(1)),
      Events Nested (Timestamp DateTime64(9), Name LowCardinality(String), Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
      Links Nested (TraceId String, SpanId String, TraceState String, Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
      INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
      INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_duration Duration TYPE minmax GRANULARITY 1
    ) ENGINE = MergeTree()
    PARTITION BY toDate(Timestamp)
    ORDER BY (ServiceName, SpanName, toUnixTimestamp(Timestamp), TraceId)
    SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;

  /** The 2023 form: Scope columns, and the first lookup table (plain MergeTree, filled by `min(Timestamp)`). */
  const LOOKUP_ERA_DDL = [
    ORIGINAL_DDL.replace('legacy.otel_traces', 'legacy.spans').replace(
      'SpanAttributes Map',
      'ScopeName String CODEC(ZSTD(1)), ScopeVersion String CODEC(ZSTD(1)), SpanAttributes Map',
    ),
    `CREATE TABLE legacy.spans_trace_id_ts (
      TraceId String CODEC(ZSTD(1)), Start DateTime64(9) CODEC(Delta, ZSTD(1)), End DateTime64(9) CODEC(Delta, ZSTD(1)),
      INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
    ) ENGINE = MergeTree() ORDER BY (TraceId, toUnixTimestamp(Start))`,
    `CREATE MATERIALIZED VIEW legacy.spans_trace_id_ts_mv TO legacy.spans_trace_id_ts AS
      SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End FROM legacy.spans WHERE TraceId != '' GROUP BY TraceId`,
  ];

  const legacySpans: SpanInput[] = [
    {
      spanId: 'aaaaaaaaaaaaaa04',
      name: 'chat gpt-4o',
      kind: 'SPAN_KIND_CLIENT',
      status: 'STATUS_CODE_ERROR',
      offsetNs: 200_000_003n,
      attributes: { 'gen_ai.operation.name': 'chat' },
    },
    {
      spanId: 'aaaaaaaaaaaaaaa1',
      parentSpanId: '',
      name: 'POST /v1/agents/run',
      kind: 'SPAN_KIND_SERVER',
      status: 'STATUS_CODE_OK',
      offsetNs: 0n,
      durationNs: '2000000000',
    },
    { spanId: 'aaaaaaaaaaaaaa05', name: 'HTTP POST', kind: 'SPAN_KIND_CLIENT', status: 'STATUS_CODE_UNSET', offsetNs: 210_000_000n },
    { spanId: 'aaaaaaaaaaaaaa17', name: 'agent_step', kind: 'SPAN_KIND_INTERNAL', status: 'STATUS_CODE_UNSET', offsetNs: 1_999_999_999n },
  ];

  beforeAll(async () => {
    await store.client.command({ query: 'CREATE DATABASE legacy' });
    for (const statement of [ORIGINAL_DDL, ...LOOKUP_ERA_DDL]) await store.client.command({ query: statement });
    await store.client.insert({
      table: 'legacy.otel_traces',
      values: legacySpans.map((span) => collectorRow(span, { withScope: false })),
      format: 'JSONEachRow',
    });
    await store.client.insert({ table: 'legacy.spans', values: legacySpans.map((span) => collectorRow(span)), format: 'JSONEachRow' });
  });

  it('reads the original table without a lookup table, normalizing enum names', async () => {
    debugLines.length = 0;
    const spans = await new OtelTraceReader({ client: store.client, database: 'legacy' }).getTraceSpans(TRACE_A);
    expect(spans.map((span) => [span.spanName, span.spanKind, span.statusCode, span.scopeName])).toEqual([
      ['POST /v1/agents/run', 'Server', 'Ok', ''],
      ['chat gpt-4o', 'Client', 'Error', ''],
      ['HTTP POST', 'Client', 'Unset', ''],
      ['agent_step', 'Internal', 'Unset', ''],
    ]);
    expect(spans[0]).toMatchObject({ timestampNs: '1795346763970123457', durationNs: '2000000000', durationMs: 2000 });
    expect(debugLines).toEqual([
      `llm-traces/reader no lookup table \`legacy\`.\`otel_traces_trace_id_ts\`; reading trace ${TRACE_A} with an unbounded scan`,
    ]);
    const ui = await new OtelTraceReader({ client: store.client, database: 'legacy' }).getTraceSpans(TRACE_A, { uiSpansOnly: true });
    expect(ids(ui)).toEqual(['aaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaa04', 'aaaaaaaaaaaaaa17']);
    // Without llm_traces (a Collector-only deployment) every trace is the default organization's.
    expect(await new OtelTraceReader({ client: store.client, database: 'legacy', organizationId: 'org-a' }).getTraceSpans(TRACE_A)).toEqual(
      [],
    );
  });

  it('reads the 2023 table through its first-generation lookup table', async () => {
    debugLines.length = 0;
    const spans = await new OtelTraceReader({ client: store.client, database: 'legacy', table: 'spans' }).getTraceSpans(TRACE_A);
    expect(ids(spans)).toEqual(['aaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaa04', 'aaaaaaaaaaaaaa05', 'aaaaaaaaaaaaaa17']);
    expect(spans[1]).toMatchObject({
      spanKind: 'Client',
      statusCode: 'Error',
      scopeName: 'llm-traces-test',
      timestampNs: '1795346764170123460',
    });
    expect(debugLines).toEqual([]);
  });
});
