/**
 * The usage page's numbers over a window: per bucket and group (cost, tokens, calls, errors,
 * latency), and per bucket overall (error rate, latency and TTFT p50/p95, cache hit ratio and the
 * dollars the cache saved, priced at read time).
 */
import { cacheSavingsNanos } from '../pricing/group-cost.js';
import { formatUsd } from '../pricing/money.js';
import type { CatalogPricer } from '../pricing/pricer.js';
import { oneOf } from './arguments.js';
import { callFilter, resolveWindow, type CallFilterOptions, type Window } from './call-filter.js';
import { ReaderArgumentError } from './errors.js';
import type { OrganizationScope } from './organization-scope.js';
import { readUsageGroups } from './usage-groups.js';
import {
  BUCKET_FUNCTIONS,
  readUsageStats,
  USAGE_BUCKETS,
  USAGE_GROUP_BY,
  type UsageBucket,
  type UsageGroupBy,
  type UsageStats,
} from './usage-stats.js';

export interface UsageSeriesOptions extends CallFilterOptions {
  /** Default 'model'. */
  groupBy?: UsageGroupBy;
  /** Default: 'hour' for windows up to 2 days, else 'day'. */
  bucket?: UsageBucket;
}

export interface UsageOverall {
  bucketStart: Date;
  calls: number;
  errors: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Over the calls that reported a time to first token; null when none did. */
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  promptTokens: number;
  cachedInputTokens: number;
  completionTokens: number;
  costUsd: string | null;
  /** Null when no call with cache reads has a price. */
  cacheSavingsUsd: string | null;
}

export interface UsageSeries {
  bucket: UsageBucket;
  groupBy: UsageGroupBy;
  /** Every bucket start of the window, oldest first, empty ones included. */
  buckets: Date[];
  /** One row per bucket and group that has calls. */
  stats: UsageStats[];
  /** One entry per bucket of `buckets`. */
  overall: UsageOverall[];
  window: Window;
}

export const MAX_BUCKETS = 2000;
const BUCKET_MS: Record<UsageBucket, number> = { hour: 3_600_000, day: 86_400_000 };
const HOURLY_UP_TO_MS = 2 * 86_400_000;

export async function readUsageSeries(scope: OrganizationScope, options: UsageSeriesOptions, pricer: CatalogPricer): Promise<UsageSeries> {
  const window = resolveWindow(options);
  const groupBy = options.groupBy === undefined ? 'model' : oneOf('groupBy', options.groupBy, USAGE_GROUP_BY);
  const span = window.end.getTime() - window.start.getTime();
  const bucket = options.bucket === undefined ? (span <= HOURLY_UP_TO_MS ? 'hour' : 'day') : oneOf('bucket', options.bucket, USAGE_BUCKETS);
  const buckets = bucketStarts(window, bucket);
  if (buckets.length > MAX_BUCKETS) {
    throw new ReaderArgumentError(
      'bucket',
      `gives ${buckets.length} buckets over this window, more than ${MAX_BUCKETS}; use a larger bucket or a shorter window`,
      bucket,
    );
  }
  const filter = { ...options, ...window };
  const [stats, overallRows, groups] = await Promise.all([
    readUsageStats(scope, { ...filter, groupBy, bucket }),
    scope.select(
      [
        `toString(toUnixTimestamp(${BUCKET_FUNCTIONS[bucket]}(created_at))) AS bucketStart`,
        'toString(count()) AS calls',
        'toString(countIf(is_error)) AS errors',
        'quantiles(0.5, 0.95)(latency_ms) AS latencyQuantiles',
        'quantiles(0.5, 0.95)(time_to_first_token_ms) AS ttftQuantiles',
        'toString(sum(prompt_tokens)) AS promptTokens',
        'toString(sum(ifNull(cached_input_tokens, 0))) AS cachedInputTokens',
        'toString(sum(completion_tokens)) AS completionTokens',
        'toString(sum(cost_usd)) AS costUsd',
      ].join(', '),
      callFilter(filter),
      'GROUP BY bucketStart',
    ),
    readUsageGroups(scope, filter, { bucket, tierThresholds: pricer.tierThresholds }),
  ]);
  const savings = new Map<number, bigint>();
  for (const group of groups) {
    if (!group.hasUsage || group.tokens.cachedInput === 0) continue;
    const saved = cacheSavingsNanos(pricer, group);
    if (saved !== undefined) savings.set(group.bucketStart!, (savings.get(group.bucketStart!) ?? 0n) + saved);
  }
  const byBucket = new Map(overallRows.map((row) => [Number(row.bucketStart), row]));
  const overall = buckets.map((start): UsageOverall => {
    const seconds = start.getTime() / 1000;
    const row = byBucket.get(seconds);
    const saved = savings.get(seconds);
    const [latencyP50Ms, latencyP95Ms] = quantilePair(row?.latencyQuantiles);
    const [ttftP50Ms, ttftP95Ms] = quantilePair(row?.ttftQuantiles);
    return {
      bucketStart: start,
      calls: Number(row?.calls ?? 0),
      errors: Number(row?.errors ?? 0),
      latencyP50Ms,
      latencyP95Ms,
      ttftP50Ms,
      ttftP95Ms,
      promptTokens: Number(row?.promptTokens ?? 0),
      cachedInputTokens: Number(row?.cachedInputTokens ?? 0),
      completionTokens: Number(row?.completionTokens ?? 0),
      costUsd: (row?.costUsd as string | null | undefined) ?? null,
      cacheSavingsUsd: saved === undefined ? null : formatUsd(saved),
    };
  });
  return { bucket, groupBy, buckets, stats, overall, window };
}

/** Bucket starts (UTC) from the one holding `start` to the last one before `end`. */
export function bucketStarts(window: Window, bucket: UsageBucket): Date[] {
  const size = BUCKET_MS[bucket];
  const first = Math.floor(window.start.getTime() / size) * size;
  const starts: Date[] = [];
  for (let time = first; time < window.end.getTime() && starts.length <= MAX_BUCKETS; time += size) starts.push(new Date(time));
  return starts;
}

/** Quantiles of an empty or all-NULL set come back as NaN or null: no value. */
function quantilePair(value: unknown): [number | null, number | null] {
  const [p50, p95] = Array.isArray(value) ? (value as Array<number | null>) : [];
  const known = (q: number | null | undefined) => (typeof q === 'number' && Number.isFinite(q) ? q : null);
  return [known(p50), known(p95)];
}
