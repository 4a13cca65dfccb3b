import { describe, expect, it } from 'vitest';
import { ensureSchema } from '../../src/schema/migrate.js';
import { insertableColumns, parseTableDefinition, renderDdl } from '../../src/schema/ddl.js';
import { OtelTraceReader } from '../../src/reader/index.js';
import { useTestStore } from '../support/store.js';

const target = { database: 'otel', tracesTable: 'otel_traces', llmTable: 'llm_traces', ttlDays: 30, cluster: undefined };

describe('schema on embedded ClickHouse', () => {
  const store = useTestStore();

  it('creates the database, both tables, the trace-id lookup table and its view', async () => {
    await ensureSchema(store.client, target);
    const tables = await store.rows<{ name: string; engine: string }>(
      "SELECT name, engine FROM system.tables WHERE database = 'otel' ORDER BY name",
    );
    expect(tables).toEqual([
      { name: 'llm_traces', engine: 'MergeTree' },
      { name: 'otel_traces', engine: 'MergeTree' },
      { name: 'otel_traces_trace_id_ts', engine: 'AggregatingMergeTree' },
      { name: 'otel_traces_trace_id_ts_mv', engine: 'MaterializedView' },
    ]);
    const [ttl] = await store.rows<{ create_table_query: string }>(
      "SELECT create_table_query FROM system.tables WHERE database = 'otel' AND name = 'llm_traces'",
    );
    expect(ttl!.create_table_query).toContain('TTL toDateTime(created_at) + toIntervalDay(30)');
  });

  it('is idempotent and adds columns and indexes an older table lacks, in DDL order', async () => {
    await store.client.command({ query: 'ALTER TABLE otel.llm_traces DROP COLUMN reasoning_tokens' });
    await store.client.command({ query: 'ALTER TABLE otel.llm_traces DROP INDEX idx_run_id' });
    await store.client.command({ query: 'ALTER TABLE otel.otel_traces DROP COLUMN ScopeVersion' });
    await ensureSchema(store.client, target);
    await ensureSchema(store.client, target);
    const columns = await store.rows<{ name: string }>(
      "SELECT name FROM system.columns WHERE database = 'otel' AND table = 'llm_traces' ORDER BY position",
    );
    expect(columns.map((c) => c.name)).toEqual(parseTableDefinition('llm_traces').columns.map((c) => c.name));
    const indexes = await store.rows<{ name: string }>(
      "SELECT name FROM system.data_skipping_indices WHERE database = 'otel' AND table = 'llm_traces' AND name = 'idx_run_id'",
    );
    expect(indexes).toHaveLength(1);
    const traceColumns = await store.rows<{ name: string }>(
      "SELECT name FROM system.columns WHERE database = 'otel' AND table = 'otel_traces' AND name = 'ScopeVersion'",
    );
    expect(traceColumns).toHaveLength(1);
  });

  it('lists the insertable columns of the Collector table with Nested columns flattened', () => {
    const columns = insertableColumns('otel_traces');
    expect(columns).toContain('Events.Timestamp');
    expect(columns).toContain('Links.Attributes');
    expect(columns).not.toContain('Events');
    expect(columns).not.toContain('SpanAttributeItems');
    expect(columns).toHaveLength(22);
  });

  it('gives an otel_traces table of the old DDL the by-trace-id projection in place; trace reads use it and read the same spans', async () => {
    const database = 'upgraded';
    const old = { ...target, database, ttlDays: undefined };
    await store.client.command({ query: `CREATE DATABASE ${database}` });
    // The table as the Collector and earlier versions of this package create it: without the projection.
    const oldDdl = renderDdl('otel_traces', { database, table: 'otel_traces', fullTextSearch: true }).replace(/,\s*PROJECTION [^\n]*/, '');
    expect(oldDdl).not.toContain('PROJECTION');
    await store.client.command({ query: oldDdl });
    await store.client.command({ query: renderDdl('otel_traces_trace_id_ts', { database, table: 'otel_traces_trace_id_ts' }) });
    await store.client.command({
      query: renderDdl('otel_traces_trace_id_ts_mv', {
        database,
        view: 'otel_traces_trace_id_ts_mv',
        table: 'otel_traces_trace_id_ts',
        sourceTable: 'otel_traces',
      }),
    });
    // Two parts: 30,000 spans of other traces (several granules of the main order by service, span
    // name and time), and one trace whose spans sit in different span-name ranges of it.
    const trace = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a';
    await store.client.command({
      query:
        `INSERT INTO ${database}.otel_traces (Timestamp, TraceId, SpanId, SpanName, ServiceName, Duration) ` +
        "SELECT toDateTime64('2026-11-20 10:00:00', 9) + toIntervalMillisecond(number), lower(hex(MD5(toString(intDiv(number, 10))))), " +
        "substring(lower(hex(MD5(concat('s', toString(number))))), 1, 16), concat('op ', toString(number % 7)), 'api', 1000 FROM numbers(30000)",
    });
    const names = ['op 0', 'op 3', 'op 6', 'zz last'];
    await store.client.insert({
      table: `${database}.otel_traces`,
      values: names.map((name, i) => ({
        Timestamp: `2026-11-20 10:00:0${i}.000000001`,
        TraceId: trace,
        SpanId: `5a5a5a5a5a5a5a0${i}`,
        ParentSpanId: i === 0 ? '' : '5a5a5a5a5a5a5a00',
        SpanName: name,
        ServiceName: 'api',
        SpanAttributes: { step: String(i) },
        Duration: '1000',
      })),
      format: 'JSONEachRow',
    });
    const reader = () => new OtelTraceReader({ client: store.client, database });
    const before = await reader().getTraceSpans(trace);
    expect(before.map((span) => [span.spanId, span.spanName, span.spanAttributes.step])).toEqual(
      names.map((name, i) => [`5a5a5a5a5a5a5a0${i}`, name, String(i)]),
    );

    await ensureSchema(store.client, old);
    await waitForMutations(database);
    const [table] = await store.rows<{ create_table_query: string }>(
      `SELECT create_table_query FROM system.tables WHERE database = '${database}' AND name = 'otel_traces'`,
    );
    expect(table!.create_table_query).toContain('PROJECTION by_trace_id (SELECT * ORDER BY TraceId)');
    const parts = await store.rows<{ name: string; projections: string[] }>(
      `SELECT name, projections FROM system.parts WHERE active AND database = '${database}' AND table = 'otel_traces'`,
    );
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) expect(part.projections).toEqual(['by_trace_id']);

    // The reader's span read goes to the projection now, and reads the same spans.
    const sent: Array<{ query: string; query_params?: Record<string, unknown>; clickhouse_settings?: Record<string, unknown> }> = [];
    const client = new Proxy(store.client, {
      get: (object, property, receiver) =>
        property === 'query'
          ? (params: (typeof sent)[number]) => (sent.push(params), object.query(params as never))
          : Reflect.get(object, property, receiver),
    });
    const after = await new OtelTraceReader({ client, database }).getTraceSpans(trace);
    expect(after).toEqual(before);
    const read = sent.at(-1)!;
    expect(read.clickhouse_settings).toEqual({ use_skip_indexes: 0 });
    const plan = await store.client.query({ ...read, query: `EXPLAIN ${read.query}`, format: 'TabSeparatedRaw' } as never);
    expect(await plan.text()).toContain('ReadFromMergeTree (by_trace_id)');

    // Once built, a second upgrade changes nothing: no new mutation.
    const mutations = async () => (await store.rows(`SELECT command FROM system.mutations WHERE database = '${database}'`)).length;
    const count = await mutations();
    expect(count).toBe(1);
    await ensureSchema(store.client, old);
    expect(await mutations()).toBe(count);
  });

  async function waitForMutations(database: string): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const [row] = await store.rows<{ pending: string }>(
        `SELECT toString(countIf(NOT is_done)) AS pending FROM system.mutations WHERE database = '${database}'`,
      );
      if (row!.pending === '0') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`mutations of ${database} still running after 30 s`);
  }
});
