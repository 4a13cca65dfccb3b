/**
 * Creates the database and tables when missing and upgrades existing tables in place: every
 * column and index the DDL has and the table lacks is added with `ADD ... IF NOT EXISTS`. Safe to
 * run from many processes at once; every statement is idempotent.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import {
  onClusterClause,
  parseTableDefinition,
  qualifiedName,
  quoteIdentifier,
  renderDdl,
  type DdlFile,
  type DdlVariables,
} from './ddl.js';

export interface SchemaTarget {
  database: string;
  tracesTable: string | undefined;
  llmTable: string;
  ttlDays: number | undefined;
  cluster: string | undefined;
}

/** The Collector's rule: text indexes from ClickHouse 26.2 on. */
export function supportsFullTextSearch(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 26 || (major === 26 && minor >= 2);
}

export async function ensureSchema(client: ClickHouseClient, target: SchemaTarget): Promise<void> {
  const version = await serverVersion(client);
  const common = {
    database: target.database,
    cluster: target.cluster,
    ttlDays: target.ttlDays,
    fullTextSearch: supportsFullTextSearch(version),
  };
  if (target.database !== 'default') {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(target.database)} ${onClusterClause(target.cluster)}` });
  }
  if (target.tracesTable) {
    const traces = target.tracesTable;
    await ensureTable(client, 'otel_traces', { ...common, table: traces });
    await ensureTable(client, 'otel_traces_trace_id_ts', { ...common, table: `${traces}_trace_id_ts` });
    await client.command({
      query: renderDdl('otel_traces_trace_id_ts_mv', {
        ...common,
        view: `${traces}_trace_id_ts_mv`,
        table: `${traces}_trace_id_ts`,
        sourceTable: traces,
      }),
    });
  }
  await ensureTable(client, 'llm_traces', { ...common, table: target.llmTable });
}

async function serverVersion(client: ClickHouseClient): Promise<string> {
  const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
  const rows = await result.json<{ version: string }>();
  return rows[0]?.version ?? '0';
}

async function ensureTable(client: ClickHouseClient, file: DdlFile, vars: DdlVariables): Promise<void> {
  await client.command({ query: renderDdl(file, vars) });
  const existing = await existingColumnsAndIndexes(client, vars.database, vars.table);
  const { columns, indexes } = parseTableDefinition(file);
  const table = `${qualifiedName(vars.database, vars.table)} ${onClusterClause(vars.cluster)}`;
  let previous: string | undefined;
  for (const column of columns) {
    // Nested columns exist in system.columns only as their `Parent.child` sub-columns.
    const present = existing.columns.has(column.name) || [...existing.columns].some((name) => name.startsWith(`${column.name}.`));
    if (!present) {
      const position = previous ? ` AFTER ${quoteIdentifier(previous)}` : ' FIRST';
      await client.command({ query: `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column.definition}${position}` });
    }
    previous = column.name;
  }
  for (const index of indexes) {
    if (!existing.indexes.has(index.name)) {
      await client.command({ query: `ALTER TABLE ${table} ADD ${index.definition.replace(/^INDEX /i, 'INDEX IF NOT EXISTS ')}` });
    }
  }
}

async function existingColumnsAndIndexes(
  client: ClickHouseClient,
  database: string,
  table: string,
): Promise<{ columns: Set<string>; indexes: Set<string> }> {
  const params = { database, table };
  const columns = await client.query({
    query: 'SELECT name FROM system.columns WHERE database = {database:String} AND table = {table:String}',
    query_params: params,
    format: 'JSONEachRow',
  });
  const indexes = await client.query({
    query: 'SELECT name FROM system.data_skipping_indices WHERE database = {database:String} AND table = {table:String}',
    query_params: params,
    format: 'JSONEachRow',
  });
  const names = async (result: typeof columns) => new Set((await result.json<{ name: string }>()).map((row) => row.name));
  return { columns: await names(columns), indexes: await names(indexes) };
}
