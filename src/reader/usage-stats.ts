/** Usage aggregates over `llm_traces`, grouped by one allow-listed column. */
import { entriesOf, TOKEN_FIELDS, type TokenField } from '../model/fields.js';
import { quoteIdentifier } from '../schema/ddl.js';
import { oneOf } from './arguments.js';
import { callFilter, type CallFilterOptions } from './call-filter.js';
import type { LlmTraceTokens } from './llm-trace.js';
import { MODEL_KEY } from './model-key.js';
import type { OrganizationScope } from './organization-scope.js';

/** `model` is the model as a user names it (model-key.ts); `request_model` the name the app asked for, as sent. */
export const USAGE_GROUP_BY = ['model', 'request_model', 'agent_id', 'call_type', 'provider'] as const;
export type UsageGroupBy = (typeof USAGE_GROUP_BY)[number];

export const USAGE_BUCKETS = ['hour', 'day'] as const;
export type UsageBucket = (typeof USAGE_BUCKETS)[number];

export const BUCKET_FUNCTIONS: Record<UsageBucket, string> = { hour: 'toStartOfHour', day: 'toStartOfDay' };

export interface UsageStatsOptions extends CallFilterOptions {
  groupBy: UsageGroupBy;
  /** One row per hour or day (UTC) and group. */
  bucket?: UsageBucket;
}

/**
 * Per-group usage, the busiest group first; with `bucket`, a time series (one row per bucket and
 * group, oldest bucket first).
 */
export async function readUsageStats(scope: OrganizationScope, options: UsageStatsOptions): Promise<UsageStats[]> {
  const groupBy = oneOf('groupBy', options?.groupBy, USAGE_GROUP_BY);
  const bucket = options.bucket === undefined ? undefined : oneOf('bucket', options.bucket, USAGE_BUCKETS);
  const tail = bucket
    ? 'GROUP BY bucketStart, key ORDER BY bucketStart ASC, count() DESC, key ASC'
    : 'GROUP BY key ORDER BY count() DESC, key ASC';
  const rows = await scope.select(usageStatsSelectList(groupBy, bucket), callFilter(options), tail);
  return rows.map(toUsageStats);
}

/** Summed token counts; a nullable one is null when no call in the group reported it. */
export interface UsageStats extends LlmTraceTokens {
  /** The value of the `groupBy` column this row aggregates. */
  key: string;
  /** Start of the time bucket (UTC) when the stats were asked for by `bucket`. */
  bucketStart?: Date;
  requestCount: number;
  errorCount: number;
  avgLatencyMs: number;
  /** Interpolated quantiles, exact up to 8192 calls per group and sampled beyond. */
  p50LatencyMs: number;
  p95LatencyMs: number;
  requestSizeBytes: number;
  responseSizeBytes: number;
  /** Total USD of the priced calls as an exact decimal string; null when none is priced. */
  costUsd: string | null;
  /** Calls with a known cost: `costUsd` covers these, not necessarily all `requestCount`. */
  pricedRequestCount: number;
}

/** Summed columns; the sum of a Nullable column is null when no row of the group reported it. */
const SUMS: ReadonlyArray<[field: keyof UsageStats, column: string]> = [
  ...entriesOf(TOKEN_FIELDS).map(([field, { column }]): [TokenField, string] => [field, column]),
  ['requestSizeBytes', 'request_size_bytes'],
  ['responseSizeBytes', 'response_size_bytes'],
];

/** Counts and sums are UInt64 or Decimal: selected as strings so they arrive exact. */
export function usageStatsSelectList(groupBy: UsageGroupBy, bucket?: UsageBucket): string {
  return [
    `${groupBy === 'model' ? MODEL_KEY : quoteIdentifier(groupBy)} AS key`,
    ...(bucket ? [`toString(toUnixTimestamp(${BUCKET_FUNCTIONS[bucket]}(created_at))) AS bucketStart`] : []),
    'toString(count()) AS requestCount',
    'toString(countIf(is_error)) AS errorCount',
    ...SUMS.map(([field, column]) => `toString(sum(${quoteIdentifier(column)})) AS ${field}`),
    'avg(latency_ms) AS avgLatencyMs',
    'quantiles(0.5, 0.95)(latency_ms) AS latencyQuantiles',
    'toString(sum(cost_usd)) AS costUsd',
    'toString(count(cost_usd)) AS pricedRequestCount',
  ].join(', ');
}

export function toUsageStats(row: Record<string, unknown>): UsageStats {
  const count = (field: string): number => Number(row[field]);
  const reported = (field: string): number | null => (row[field] === null ? null : Number(row[field]));
  const [p50LatencyMs = 0, p95LatencyMs = 0] = row.latencyQuantiles as number[];
  const tokens: Record<string, number | null> = {};
  for (const [field, { nullable }] of entriesOf(TOKEN_FIELDS)) tokens[field] = nullable ? reported(field) : count(field);
  return {
    key: row.key as string,
    ...(row.bucketStart === undefined ? {} : { bucketStart: new Date(Number(row.bucketStart) * 1000) }),
    requestCount: count('requestCount'),
    errorCount: count('errorCount'),
    ...(tokens as LlmTraceTokens),
    avgLatencyMs: row.avgLatencyMs as number,
    p50LatencyMs,
    p95LatencyMs,
    requestSizeBytes: count('requestSizeBytes'),
    responseSizeBytes: count('responseSizeBytes'),
    costUsd: row.costUsd as string | null,
    pricedRequestCount: count('pricedRequestCount'),
  };
}
