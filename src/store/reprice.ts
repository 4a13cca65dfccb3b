/**
 * Recomputes the cost of stored LLM calls after a price change, in place. Calls whose cost the
 * span itself provided keep it. Idempotent: a second run with the same prices changes nothing.
 * Rows are read in pages, priced with the same pricer the exporter uses, and only changed rows
 * are written back, with one ALTER TABLE ... UPDATE mutation per page.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Pricer } from '../pricing/index.js';
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
  /** Calls that still have no price (unknown model or no usage). */
  unpriced: number;
}

/** A stored call as read back: its usage, and its cost columns as they are now. */
interface StoredCall extends CostColumns {
  key: string;
  provider: string;
  model: string;
  request_model: string;
  has_usage: boolean;
  prompt_tokens: string;
  completion_tokens: string;
  total_tokens: string;
  cached_input_tokens: string | null;
  cache_write_tokens: string | null;
  reasoning_tokens: string | null;
  created_ms: string;
}

const COST_FIELDS = ['cost_usd', 'input_cost_usd', 'cached_input_cost_usd', 'cache_write_cost_usd', 'output_cost_usd'] as const;
// A call is identified by its trace and span, which are unique across organizations.
const KEY = "concat(trace_id, ':', span_id)";

export async function reprice(client: ClickHouseClient, options: RepriceOptions): Promise<RepriceResult> {
  const table = qualifiedName(options.database, options.table);
  const pageSize = options.pageSize ?? 5000;
  const result: RepriceResult = { scanned: 0, updated: 0, unpriced: 0 };
  let after = '';
  for (;;) {
    const page = await readPage(client, table, after, pageSize, options.since);
    if (page.length === 0) return result;
    after = page[page.length - 1]!.key;
    result.scanned += page.length;
    const changed: Array<{ key: string; cost: CostColumns }> = [];
    for (const call of page) {
      const cost = costColumns(toCall(call), options.pricer, new Date(Number(call.created_ms)));
      if (cost.cost_usd === null) result.unpriced++;
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
    query: `SELECT ${KEY} AS key, provider, model, request_model, has_usage,
              toString(prompt_tokens) AS prompt_tokens, toString(completion_tokens) AS completion_tokens, toString(total_tokens) AS total_tokens,
              toString(cached_input_tokens) AS cached_input_tokens, toString(cache_write_tokens) AS cache_write_tokens, toString(reasoning_tokens) AS reasoning_tokens,
              toString(toUnixTimestamp64Milli(created_at)) AS created_ms,
              ${COST_FIELDS.map((field) => `toString(${field}) AS ${field}`).join(', ')}, cost_source
            FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY key LIMIT {limit:UInt32}`,
    query_params: { after, limit, ...(since ? { since: since.toISOString().replace('T', ' ').replace('Z', '') } : {}) },
    format: 'JSONEachRow',
  });
  return result.json<StoredCall>();
}

function toCall(call: StoredCall) {
  const count = (value: string | null) => (value === null ? undefined : Number(value));
  return {
    provider: call.provider || undefined,
    model: call.model || undefined,
    requestModel: call.request_model || undefined,
    usage: call.has_usage
      ? {
          promptTokens: Number(call.prompt_tokens),
          completionTokens: Number(call.completion_tokens),
          totalTokens: Number(call.total_tokens),
          cachedInputTokens: count(call.cached_input_tokens),
          cacheWriteTokens: count(call.cache_write_tokens),
          reasoningTokens: count(call.reasoning_tokens),
        }
      : undefined,
  };
}

function sameCost(call: StoredCall, cost: CostColumns): boolean {
  // Stored decimals print without trailing zeros, like formatUsd: the strings compare exactly.
  return (
    call.cost_source === cost.cost_source && COST_FIELDS.every((field) => normalizeDecimal(call[field]) === normalizeDecimal(cost[field]))
  );
}

function normalizeDecimal(value: string | null): string | null {
  return value === null ? null : value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

async function writeCosts(client: ClickHouseClient, table: string, changed: Array<{ key: string; cost: CostColumns }>): Promise<void> {
  const params: Record<string, unknown> = { keys: changed.map((c) => c.key), sources: changed.map((c) => c.cost.cost_source) };
  const assignments = COST_FIELDS.map((field) => {
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
