/**
 * Calls grouped for pricing at read time (cache savings, what-if): by provider, model names, day
 * and long-context band, so every call of a group takes the same price entry and tier
 * (see pricing/group-cost.ts). Calls whose cost the span provided, and calls without usage, are
 * kept apart: a price table changes neither.
 */
import type { PricedGroup } from '../pricing/group-cost.js';
import { callFilter, type CallFilterOptions } from './call-filter.js';
import { MODEL_KEY } from './model-key.js';
import type { OrganizationScope } from './organization-scope.js';
import { combineFilters } from './sql-filter.js';
import { BUCKET_FUNCTIONS, type UsageBucket } from './usage-stats.js';

export interface UsageGroup extends PricedGroup {
  /** Epoch seconds of the bucket start, when grouped by bucket. */
  bucketStart?: number;
  /** The model as a user names it (model-key.ts), for showing groups by model. */
  modelKey: string;
  /** The stored cost came with the span (`cost_source = 'provided'`). */
  provided: boolean;
  hasUsage: boolean;
  calls: number;
  /** Stored cost of the group's priced calls; null when none is priced. */
  costUsd: string | null;
  pricedCalls: number;
}

const TIER_TOKENS = 'greatest(prompt_tokens, ifNull(cached_input_tokens, 0) + ifNull(cache_write_tokens, 0))';

/** `filter` must hold a window: callers pass a resolved one. */
export async function readUsageGroups(
  scope: OrganizationScope,
  filter: CallFilterOptions,
  options: { bucket?: UsageBucket; tierThresholds: readonly number[] },
): Promise<UsageGroup[]> {
  const bucket = options.bucket ? [`toString(toUnixTimestamp(${BUCKET_FUNCTIONS[options.bucket]}(created_at))) AS bucketStart`] : [];
  const rows = await scope.select(
    [
      ...bucket,
      'toString(toDate(created_at)) AS day',
      'provider',
      'model',
      'request_model AS requestModel',
      `${MODEL_KEY} AS modelKey`,
      "cost_source = 'provided' AS provided",
      'has_usage AS hasUsage',
      `arrayCount(threshold -> ${TIER_TOKENS} > threshold, {tierThresholds:Array(UInt64)}) AS band`,
      `toString(max(${TIER_TOKENS})) AS tierPromptTokens`,
      'toString(count()) AS calls',
      'toString(sum(prompt_tokens)) AS prompt',
      'toString(sum(ifNull(cached_input_tokens, 0))) AS cachedInput',
      'toString(sum(ifNull(cache_write_tokens, 0))) AS cacheWrite',
      'toString(sum(completion_tokens)) AS output',
      'toString(sum(cost_usd)) AS costUsd',
      'toString(count(cost_usd)) AS pricedCalls',
    ].join(', '),
    combineFilters(callFilter(filter), { conditions: [], params: { tierThresholds: [...options.tierThresholds] } }),
    `GROUP BY ${options.bucket ? 'bucketStart, ' : ''}day, provider, model, requestModel, modelKey, provided, hasUsage, band`,
  );
  return rows.map((row) => ({
    ...(options.bucket ? { bucketStart: Number(row.bucketStart) } : {}),
    day: row.day as string,
    provider: row.provider as string,
    model: row.model as string,
    requestModel: row.requestModel as string,
    modelKey: row.modelKey as string,
    provided: Boolean(row.provided),
    hasUsage: Boolean(row.hasUsage),
    tierPromptTokens: Number(row.tierPromptTokens),
    tokens: {
      prompt: Number(row.prompt),
      cachedInput: Number(row.cachedInput),
      cacheWrite: Number(row.cacheWrite),
      output: Number(row.output),
    },
    calls: Number(row.calls),
    costUsd: (row.costUsd as string | null) ?? null,
    pricedCalls: Number(row.pricedCalls),
  }));
}
