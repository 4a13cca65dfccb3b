/**
 * The request each page's first screen waits for, computed from the address alone, so the shell
 * starts it while the bundle boots and the page's own code loads (main.tsx) instead of after. The
 * pages build their requests with the same functions, so the early answer is the one they ask for.
 */
import { startEarly, type Query } from './api.js';
import { apiFilters, windowOf, type Window } from './filters.js';
import { claimableInstant } from './now.js';
import type { Route } from './route.js';
import type { UsageGroupBy } from '../server/viewer-api/types.js';

export const CALL_SORTS = ['time', 'cost', 'tokens', 'latency'] as const;
/** Calls per page; `limit` in the URL changes it (the API allows 1 to 500). */
export const CALL_PAGE_SIZE = 100;

export interface CallsView {
  sort: { key: string; order: 'asc' | 'desc' };
  filters: Record<string, string>;
  /** The page of calls. */
  query: Query;
}

export function callSort(params: URLSearchParams): CallsView['sort'] {
  return {
    key: CALL_SORTS.includes(params.get('sort') as never) ? params.get('sort')! : 'time',
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
  };
}

export function callsView(params: URLSearchParams, now: Date): CallsView {
  const sort = callSort(params);
  const filters = apiFilters(params, now);
  const limit = params.get('limit') ?? CALL_PAGE_SIZE;
  return { sort, filters, query: { ...filters, sort: sort.key, order: sort.order, limit, cursor: params.get('cursor') } };
}

export const USAGE_GROUPS: Array<[UsageGroupBy, string]> = [
  ['model', 'Model'],
  ['agent_id', 'Agent'],
  ['provider', 'Provider'],
  ['call_type', 'Call type'],
];

export interface UsageView {
  window: Window;
  bucket: 'hour' | 'day';
  groupBy: UsageGroupBy;
  query: Query;
}

export function usageView(params: URLSearchParams, now: Date): UsageView {
  const window = windowOf(params, now, '7d');
  const span = window.end.getTime() - window.start.getTime();
  const asked = params.get('bucket');
  const bucket = asked === 'hour' || asked === 'day' ? asked : span <= 2 * 86_400_000 ? 'hour' : 'day';
  const groupBy = USAGE_GROUPS.find(([g]) => g === params.get('group_by'))?.[0] ?? 'model';
  return {
    window,
    bucket,
    groupBy,
    query: { start: window.start.toISOString(), end: window.end.toISOString(), bucket, group_by: groupBy },
  };
}

/** Starts the first request of the page at `route`, if it has one worth starting early. */
export function startFirstRequest(route: Route): void {
  const key = route.params.toString();
  if (route.page === 'calls') startEarly('calls', callsView(route.params, claimableInstant(key)).query);
  else if (route.page === 'usage') startEarly('usage', usageView(route.params, claimableInstant(key)).query);
  else if (route.page === 'trace') startEarly(`traces/${encodeURIComponent(route.id)}`);
}
