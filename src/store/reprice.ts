/**
 * Recomputes the cost of stored LLM calls after a price change, in place. Calls whose cost the
 * span itself provided keep it. Idempotent: a second run with the same prices changes nothing.
 * Rows are read in pages, priced with the same pricer the exporter uses, and only changed rows
 * are written back, with one ALTER TABLE ... UPDATE mutation per page.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { COST_FIELDS, entriesOf, TOKEN_FIELDS, type CostField, type TokenField } from '../model/fields.js';
import type { TokenUsage } from '../model/llm-call.js';
import type { PriceRequest, Pricer } from '../pricing/index.js';
import { llmTraceFieldsSelectList, toLlmTrace, type LlmTrace } from '../reader/llm-trace.js';
import { costColumns, type CostColumns } from '../pricing/cost-columns.js';
import { qualifiedName } from '../schema/ddl.js';

export interface RepriceOptions {
  database: string;
  table: string;
  pricer: Pricer;
  /** Only calls made at or after this time. */
  since?: Date;
  /** Rows read and written per step. */
  pageSize?: number;
}

export interface RepriceResult {
  scanned: number;
  updated: number;
  /** Calls that still have no cost: `withoutUsage` of them reported no usage, the others have no known price. */
  unpriced: number;
  /** Calls that reported no usage (failed calls, mostly): no price table gives them a cost. */
  withoutUsage: number;
}

/** What repricing reads of a stored call: what prices it, and its cost as it is now. */
const READ_FIELDS = [
  'provider',
  'model',
  'requestModel',
  'hasUsage',
  ...(Object.keys(TOKEN_FIELDS) as TokenField[]),
  ...(Object.keys(COST_FIELDS) as CostField[]),
  'costSource',
  'createdAt',
] as const satisfies ReadonlyArray<keyof LlmTrace>;

type StoredCall = Pick<LlmTrace, (typeof READ_FIELDS)[number]> & { key: string };

// A call is identified by its trace and span, which are unique across organizations.
const KEY = "concat(trace_id, ':', span_id)";

export async function reprice(client: ClickHouseClient, options: RepriceOptions): Promise<RepriceResult> {
  const table = qualifiedName(options.database, options.table);
  const pageSize = options.pageSize ?? 5000;
  const result: RepriceResult = { scanned: 0, updated: 0, unpriced: 0, withoutUsage: 0 };
  let after = '';
  for (;;) {
    const page = await readPage(client, table, after, pageSize, options.since);
    if (page.length === 0) return result;
    after = page[page.length - 1]!.key;
    result.scanned += page.length;
    const changed: Array<{ key: string; cost: CostColumns }> = [];
    for (const call of page) {
      const cost = costColumns(toCall(call), options.pricer, call.createdAt);
      if (cost.cost_usd === null) {
        result.unpriced++;
        if (!call.hasUsage) result.withoutUsage++;
      }
      if (!sameCost(call, cost)) changed.push({ key: call.key, cost });
    }
    if (changed.length > 0) {
      await writeCosts(client, table, changed);
      result.updated += changed.length;
    }
  }
}

async function readPage(
  client: ClickHouseClient,
  table: string,
  after: string,
  limit: number,
  since: Date | undefined,
): Promise<StoredCall[]> {
  const conditions = [`${KEY} > {after:String}`, "cost_source != 'provided'"];
  if (since) conditions.push("created_at >= {since:DateTime64(3, 'UTC')}");
  const result = await client.query({
    query: `SELECT ${KEY} AS key, ${llmTraceFieldsSelectList(READ_FIELDS)}
            FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY key LIMIT {limit:UInt32}`,
    query_params: { after, limit, ...(since ? { since: since.toISOString().replace('T', ' ').replace('Z', '') } : {}) },
    format: 'JSONEachRow',
  });
  return (await result.json<Record<string, unknown>>()).map((row) => ({ ...toLlmTrace(row), key: row.key as string }) as StoredCall);
}

function toCall(call: StoredCall): PriceRequest {
  let usage: TokenUsage | undefined;
  if (call.hasUsage) {
    usage = {};
    for (const field of Object.keys(TOKEN_FIELDS) as TokenField[]) usage[field] = call[field] ?? undefined;
  }
  return { provider: call.provider || undefined, model: call.model || undefined, requestModel: call.requestModel || undefined, usage };
}

function sameCost(call: StoredCall, cost: CostColumns): boolean {
  // Stored decimals print without trailing zeros, like formatUsd: the strings compare exactly.
  return (
    call.costSource === cost.cost_source &&
    entriesOf(COST_FIELDS).every(([field, { column }]) => normalizeDecimal(call[field]) === normalizeDecimal(cost[column]))
  );
}

function normalizeDecimal(value: string | null): string | null {
  return value === null ? null : value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

async function writeCosts(client: ClickHouseClient, table: string, changed: Array<{ key: string; cost: CostColumns }>): Promise<void> {
  const params: Record<string, unknown> = { keys: changed.map((c) => c.key), sources: changed.map((c) => c.cost.cost_source) };
  const assignments = Object.values(COST_FIELDS).map(({ column: field }) => {
    // '' stands for NULL in the parameter array; toDecimal64OrNull turns it back into NULL.
    params[field] = changed.map((c) => c.cost[field] ?? '');
    return `${field} = toDecimal64OrNull(transform(${KEY}, {keys:Array(String)}, {${field}:Array(String)}, ''), 9)`;
  });
  await client.command({
    query: `ALTER TABLE ${table} UPDATE ${assignments.join(', ')}, cost_source = transform(${KEY}, {keys:Array(String)}, {sources:Array(String)}, cost_source)
            WHERE ${KEY} IN {keys:Array(String)}`,
    query_params: params,
    // Wait for the mutation, so the command's result means the rows hold the new costs.
    clickhouse_settings: { mutations_sync: '2' },
  });
}
