/**
 * A page of calls, keyset-paginated: ordered by a sort key, then created_at and id, and continued
 * after the last row of the previous page (never OFFSET). Reads llm_traces alone, bounded by a
 * time window; the payload columns are only read by a search and for the snippet of its hit.
 */
import { requireString } from './arguments.js';
import { ReaderArgumentError } from './errors.js';
import { callFilter, plainSnippet, searchText, SNIPPET_SELECT, type CallFilterOptions } from './call-filter.js';
import { pageRequest, type Page, type SortOrder } from './keyset-page.js';
import { llmTraceSelectList, toLlmTrace, type LlmTraceSummary } from './llm-trace.js';
import type { OrganizationScope } from './organization-scope.js';
import { combineFilters, type SqlFilter } from './sql-filter.js';

export const CALL_SORTS = ['time', 'cost', 'tokens', 'latency', 'prompt_tokens', 'request_bytes'] as const;
export type CallSort = (typeof CALL_SORTS)[number];

/** Sort keys before (created_at, id); `time` has none. Unpriced calls sort as cost -1: below every priced one. */
interface SortKey {
  expression: string;
  type: string;
  /** What a cursor's key must look like, checked before it becomes a parameter. */
  pattern: RegExp;
}

const DECIMAL_KEY = /^-?\d{1,9}(\.\d{1,9})?$/;
const INTEGER_KEY = /^\d{1,20}$/;

const SORT_KEYS: Record<Exclude<CallSort, 'time'>, SortKey> = {
  cost: { expression: 'ifNull(cost_usd, toDecimal64(-1, 9))', type: 'Decimal(18, 9)', pattern: DECIMAL_KEY },
  tokens: { expression: 'total_tokens', type: 'UInt64', pattern: INTEGER_KEY },
  latency: { expression: 'latency_ms', type: 'UInt32', pattern: INTEGER_KEY },
  prompt_tokens: { expression: 'prompt_tokens', type: 'UInt64', pattern: INTEGER_KEY },
  request_bytes: { expression: 'request_size_bytes', type: 'UInt64', pattern: INTEGER_KEY },
};

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 5000;

/** Where the previous page ended: its last row's sort key, time and id. */
export interface CallCursor {
  /** The sort key as text (absent for the time sort). */
  key?: string;
  /** created_at in epoch nanoseconds. */
  timeNs: string;
  id: string;
}

export interface CallPageOptions extends CallFilterOptions {
  /** Default 'time'. */
  sort?: CallSort;
  /** Default 'desc'. */
  order?: SortOrder;
  /** Default 50, at most 5000. */
  limit?: number;
  after?: CallCursor;
}

/** A call of a list: every column but the payloads, with its exact time and, for a search, the hit. */
export interface CallListItem extends LlmTraceSummary {
  createdAtNs: string;
  /** Plain text around the search hit; only when the page was searched. */
  snippet?: string;
}

export type CallPage = Page<CallListItem, CallCursor>;

export async function readCallPage(scope: OrganizationScope, options: CallPageOptions): Promise<CallPage> {
  const { sort, order, direction, limit, window } = pageRequest(options, CALL_SORTS, {
    sort: 'time',
    limit: DEFAULT_PAGE_SIZE,
    maxLimit: MAX_PAGE_SIZE,
  });
  const key = sort === 'time' ? undefined : SORT_KEYS[sort];
  const searched = searchText(options.search) !== undefined;
  const selectList = [
    llmTraceSelectList(false),
    'toString(toUnixTimestamp64Nano(created_at)) AS createdAtNs',
    ...(key ? [`toString(${key.expression}) AS sortKey`] : []),
    ...(searched ? [SNIPPET_SELECT] : []),
  ].join(', ');
  const filters: SqlFilter[] = [callFilter({ ...options, ...window })];
  if (options.after) filters.push(keysetCondition(options.after, order, key));
  const orderBy = [...(key ? [key.expression] : []), 'created_at', 'id'].map((column) => `${column} ${direction}`).join(', ');
  const rows = await scope.select(
    selectList,
    combineFilters(...filters, { conditions: [], params: { pageLimit: limit + 1 } }),
    `ORDER BY ${orderBy} LIMIT {pageLimit:UInt32}`,
  );
  const items = rows.slice(0, limit).map((row) => {
    const item = toLlmTrace(row) as unknown as CallListItem;
    item.createdAtNs = row.createdAtNs as string;
    if (searched) item.snippet = plainSnippet(row.snippet as string);
    return item;
  });
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  const next = last ? { ...(key ? { key: last.sortKey as string } : {}), timeNs: last.createdAtNs as string, id: last.id as string } : null;
  return { items, next, window };
}

/**
 * Rows after the cursor in the page order. The tuple comparison is exact; the plain bound on
 * created_at (for the time sort) lets ClickHouse skip granules and partitions past the cursor.
 */
function keysetCondition(after: CallCursor, order: SortOrder, key: SortKey | undefined): SqlFilter {
  const timeNs = requireString('after.timeNs', after.timeNs);
  if (!/^\d{1,19}$/.test(timeNs)) throw new ReaderArgumentError('after.timeNs', 'must be epoch nanoseconds', timeNs);
  const params: Record<string, unknown> = { afterTime: timeNs, afterId: requireString('after.id', after.id, { allowEmpty: true }) };
  const time = "fromUnixTimestamp64Nano({afterTime:Int64}, 'UTC')";
  const comparison = order === 'desc' ? '<' : '>';
  if (!key) {
    return {
      conditions: [`created_at ${comparison}= ${time}`, `(created_at, id) ${comparison} (${time}, {afterId:String})`],
      params,
    };
  }
  const afterKey = requireString('after.key', after.key);
  if (!key.pattern.test(afterKey)) throw new ReaderArgumentError('after.key', 'is not a key of this sort', afterKey);
  params.afterKey = afterKey;
  return {
    conditions: [`(${key.expression}, created_at, id) ${comparison} ({afterKey:${key.type}}, ${time}, {afterId:String})`],
    params,
  };
}
