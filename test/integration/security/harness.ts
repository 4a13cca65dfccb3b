/**
 * What the security tests share besides the store (test/support/store.ts, released for a `serve`
 * child): spans exported through the real exporter, an inventory of every table to prove no
 * statement changed anything, a client that records the statements it sends, and the three ways
 * an organization reads (reader, JSON API, CLI).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { runCli, type CliResult } from '../../support/serve-process.js';

/** Exports the spans in one batch the way an app's span processor would, and waits until they are stored. */
export async function exportSpans(client: ClickHouseClient, spans: ReadableSpan[]): Promise<void> {
  const exporter = new ClickHouseTraceExporter({ client });
  const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  if (result.code !== ExportResultCode.SUCCESS) throw result.error ?? new Error('export failed');
}

type Rows = (query: string) => Promise<Record<string, unknown>[]>;

export function rowsOf(client: ClickHouseClient): Rows {
  return async (query) => (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
}

/**
 * Every database and table outside the system ones, with its engine and row count. Aggregating
 * tables are counted FINAL, so a background merge does not look like a change.
 */
export async function tableInventory(rows: Rows): Promise<Record<string, string>> {
  const tables = await rows(
    "SELECT database, name, engine FROM system.tables WHERE database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') ORDER BY database, name",
  );
  const databases = await rows(
    "SELECT name FROM system.databases WHERE name NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') ORDER BY name",
  );
  const inventory: Record<string, string> = { databases: databases.map((row) => row.name).join(',') };
  for (const { database, name, engine } of tables as Array<{ database: string; name: string; engine: string }>) {
    const table = `\`${database}\`.\`${name}\``;
    if (!engine.endsWith('MergeTree')) {
      inventory[`${database}.${name}`] = engine;
      continue;
    }
    const [row] = await rows(`SELECT toString(count()) AS n FROM ${table}${engine === 'MergeTree' ? '' : ' FINAL'}`);
    inventory[`${database}.${name}`] = `${engine} ${String(row!.n)} rows`;
  }
  return inventory;
}

export interface Statement {
  method: string;
  query: string;
  params: Record<string, unknown>;
}

/** The real client, with every statement it is asked to run written down first. */
export function recordingClient(client: ClickHouseClient): { client: ClickHouseClient; statements: Statement[] } {
  const statements: Statement[] = [];
  const methods = new Set<PropertyKey>(['query', 'command', 'exec', 'insert']);
  const recording = new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!methods.has(property)) return value.bind(target);
      return (params: { query?: string; table?: string; query_params?: Record<string, unknown> }) => {
        statements.push({
          method: String(property),
          query: params.query ?? `INSERT INTO ${params.table}`,
          params: params.query_params ?? {},
        });
        return value.call(target, params);
      };
    },
  });
  return { client: recording, statements };
}

export interface ApiAnswer {
  status: number;
  body: any;
}

export async function apiGet(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<ApiAnswer> {
  const response = await fetch(`${baseUrl}${path}`, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the assertion message.
  }
  return { status: response.status, body };
}

/** `llm-traces <command> --endpoint <serve> ...args`, the organization only from `args` or `env`. */
export function cliAt(baseUrl: string, [command, ...args]: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli([command!, '--endpoint', baseUrl, ...args], { LLM_TRACES_ORGANIZATION_ID: undefined, ...env });
}

/** A Node stack frame line, as printed by an uncaught error. */
export const STACK_FRAME = /\n\s+at .+[(:]\d+/;

/** Runs `work` on every item with at most `concurrency` at once (the machine has 2 cores); results in item order. */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
