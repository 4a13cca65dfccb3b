/** Totals of a filtered set of calls, and the values of each filterable field with their counts. */
import { callFilter, resolveWindow, type CallFilterKey, type CallFilterOptions, type Window } from './call-filter.js';
import { AGENT_TAGS, APPLICATION_IDS, type TokenField } from '../model/fields.js';
import { MODEL_KEY } from './model-key.js';
import type { OrganizationScope } from './organization-scope.js';
import { tokenSums, tokenSumsSelect } from './token-sums.js';

/** Token sums count an unreported bucket as 0: totals, unlike a call's own counts, are never null. */
export interface CallTotals extends Record<TokenField, number> {
  calls: number;
  errors: number;
  /** Sum over the priced calls as an exact decimal string; null when none is priced. */
  costUsd: string | null;
  pricedCalls: number;
  /** Null when there are no calls. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  window: Window;
}

export async function readCallTotals(scope: OrganizationScope, options: CallFilterOptions): Promise<CallTotals> {
  const window = resolveWindow(options);
  const selectList = [
    'toString(count()) AS calls',
    'toString(countIf(is_error)) AS errors',
    tokenSumsSelect(),
    'toString(sum(cost_usd)) AS costUsd',
    'toString(count(cost_usd)) AS pricedCalls',
    'quantiles(0.5, 0.95)(latency_ms) AS latencyQuantiles',
  ].join(', ');
  const [row = {}] = await scope.select(selectList, callFilter({ ...options, ...window }));
  const calls = Number(row.calls);
  const [p50 = null, p95 = null] = calls === 0 ? [] : (row.latencyQuantiles as number[]);
  return {
    calls,
    errors: Number(row.errors),
    ...tokenSums(row),
    costUsd: (row.costUsd as string | null) ?? null,
    pricedCalls: Number(row.pricedCalls),
    latencyP50Ms: p50,
    latencyP95Ms: p95,
    window,
  };
}

export const FACET_FIELDS = ['agentId', 'runId', 'model', 'provider', 'callType', 'tag'] as const;
export type FacetField = (typeof FACET_FIELDS)[number];

export interface FacetValue {
  value: string;
  count: number;
}

export type CallFacets = Record<FacetField, FacetValue[]>;

const FACET_VALUES: Record<FacetField, string> = {
  agentId: APPLICATION_IDS.agentId.column,
  runId: APPLICATION_IDS.runId.column,
  model: MODEL_KEY,
  provider: 'provider',
  callType: 'call_type',
  tag: `arrayJoin(${AGENT_TAGS.column})`,
};

export const MAX_FACET_VALUES = 50;

/**
 * The most frequent values of each field in the window, each counted under every other filter
 * (not its own, so picking a model still shows the other models), in one UNION ALL statement.
 */
export async function readCallFacets(scope: OrganizationScope, options: CallFilterOptions): Promise<CallFacets> {
  const window = resolveWindow(options);
  const rows = await scope.selectUnion<{ facet: FacetField; value: string; count: string }>(
    FACET_FIELDS.map((field) => ({
      selectList: `'${field}' AS facet, ${FACET_VALUES[field]} AS value, toString(count()) AS count`,
      filter: callFilter({ ...options, ...window }, [field satisfies CallFilterKey]),
      tail: `GROUP BY value ORDER BY count() DESC, value ASC LIMIT ${MAX_FACET_VALUES}`,
    })),
  );
  const facets = Object.fromEntries(FACET_FIELDS.map((field) => [field, [] as FacetValue[]])) as CallFacets;
  for (const row of rows) facets[row.facet].push({ value: row.value, count: Number(row.count) });
  for (const field of FACET_FIELDS) facets[field].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return facets;
}
