import { describe, expect, it } from 'vitest';
import { ensureSchema } from '../../src/schema/migrate.js';
import { insertableColumns, parseTableDefinition } from '../../src/schema/ddl.js';
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
});
