/**
 * The filters every call view shares (list, totals, facets, usage, errors, top-N, export,
 * what-if): a time window on created_at, column equalities, errors only, an agent tag, minimum
 * cost and prompt size, and a substring search in the request and response payloads. Validated
 * here, rendered as parameterized conditions.
 */
import { AGENT_TAGS, APPLICATION_IDS } from '../model/fields.js';
import { isUsdDecimal } from '../pricing/money.js';
import { integerInRange, optionalBoolean, optionalString, timeRange } from './arguments.js';
import { ReaderArgumentError } from './errors.js';
import { modelFilter } from './model-key.js';
import { combineFilters, timeRangeFilter, type SqlFilter } from './sql-filter.js';

export interface CallFilterOptions {
  /** Inclusive. */
  start?: Date;
  /** Exclusive. */
  end?: Date;
  /** '' selects calls made outside any agent. */
  agentId?: string;
  runId?: string;
  traceId?: string;
  /** The model under any of its names: as grouped (see model-key.ts), as answered or as asked for. */
  model?: string;
  provider?: string;
  callType?: string;
  serviceName?: string;
  userId?: string;
  conversationId?: string;
  /** true: failed calls only; false: successful ones only. */
  isError?: boolean;
  /** One of the agent's tags. */
  tag?: string;
  /** USD as a decimal string (`"0.01"`): calls that cost at least this (unpriced calls never match). */
  minCostUsd?: string;
  minPromptTokens?: number;
  /** Case-insensitive substring of the request or response payload. */
  search?: string;
}

/** A window every view is bounded by. */
export interface Window {
  start: Date;
  end: Date;
}

/** Lists, totals and charts read the last 24 hours unless told otherwise. */
export const DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Longest search text: a search is a scan of the window's payloads, not a query language. */
export const MAX_SEARCH_LENGTH = 500;

/** The options that filter on column equality, with their column. */
export const EQUALITY_FILTERS = [
  ['agentId', APPLICATION_IDS.agentId.column],
  ['runId', APPLICATION_IDS.runId.column],
  ['traceId', 'trace_id'],
  ['provider', 'provider'],
  ['callType', 'call_type'],
  ['serviceName', 'service_name'],
  ['userId', APPLICATION_IDS.userId.column],
  ['conversationId', APPLICATION_IDS.conversationId.column],
] as const satisfies ReadonlyArray<readonly [keyof CallFilterOptions, string]>;

export type CallFilterKey = keyof CallFilterOptions;

/** `start`/`end` with the defaults filled in: end now, start 24 hours before end. */
export function resolveWindow(options: { start?: Date; end?: Date }, now = new Date()): Window {
  const range = timeRange(options.start, options.end);
  const end = range.end ?? new Date(Math.max(now.getTime(), range.start?.getTime() ?? 0));
  return { start: range.start ?? new Date(end.getTime() - DEFAULT_WINDOW_MS), end };
}

/**
 * The conditions of `options`; `omit` leaves filters out (a facet is counted under every filter
 * but its own). The window is applied only where given: callers that must be bounded pass a
 * resolved one.
 */
export function callFilter(options: CallFilterOptions, omit: readonly CallFilterKey[] = []): SqlFilter {
  const use = (key: CallFilterKey): boolean => !omit.includes(key);
  const filters: SqlFilter[] = [timeRangeFilter('created_at', timeRange(options.start, options.end))];
  for (const [option, column] of EQUALITY_FILTERS) {
    const value = optionalString(option, options[option]);
    if (value !== undefined && use(option)) filters.push({ conditions: [`${column} = {${option}:String}`], params: { [option]: value } });
  }
  const model = optionalString('model', options.model);
  if (model !== undefined && use('model')) filters.push(modelFilter(model));
  const isError = optionalBoolean('isError', options.isError);
  if (isError !== undefined && use('isError')) {
    filters.push({ conditions: ['is_error = {isError:Bool}'], params: { isError: isError ? 1 : 0 } });
  }
  const tag = optionalString('tag', options.tag);
  if (tag !== undefined && use('tag')) filters.push({ conditions: [`has(${AGENT_TAGS.column}, {tag:String})`], params: { tag } });
  if (options.minCostUsd !== undefined && use('minCostUsd')) {
    if (!isUsdDecimal(options.minCostUsd)) {
      throw new ReaderArgumentError('minCostUsd', 'must be a decimal string of USD such as "0.01"', options.minCostUsd);
    }
    filters.push({ conditions: ['cost_usd >= {minCostUsd:Decimal(18, 9)}'], params: { minCostUsd: options.minCostUsd } });
  }
  if (options.minPromptTokens !== undefined && use('minPromptTokens')) {
    const minPromptTokens = integerInRange('minPromptTokens', options.minPromptTokens, 0, 0, Number.MAX_SAFE_INTEGER);
    filters.push({ conditions: ['prompt_tokens >= {minPromptTokens:UInt64}'], params: { minPromptTokens } });
  }
  const search = searchText(options.search);
  if (search !== undefined && use('search')) filters.push({ conditions: [SEARCH_CONDITION], params: { search } });
  return combineFilters(...filters);
}

const SEARCH_CONDITION =
  '(positionCaseInsensitiveUTF8(request_json, {search:String}) > 0 OR positionCaseInsensitiveUTF8(response_json, {search:String}) > 0)';

/** Characters of payload shown around a search hit. */
const SNIPPET_BEFORE = 60;
const SNIPPET_LENGTH = 200;

/**
 * The payload text around the first hit (request first, then response), selected as `snippet`;
 * only valid in a query filtered by `callFilter` with `search` set.
 */
export const SNIPPET_SELECT = `multiIf(
  positionCaseInsensitiveUTF8(request_json, {search:String}) AS snippetRequestHit > 0,
  substringUTF8(request_json, greatest(1, toInt64(snippetRequestHit) - ${SNIPPET_BEFORE}), ${SNIPPET_LENGTH}),
  positionCaseInsensitiveUTF8(response_json, {search:String}) AS snippetResponseHit > 0,
  substringUTF8(response_json, greatest(1, toInt64(snippetResponseHit) - ${SNIPPET_BEFORE}), ${SNIPPET_LENGTH}),
  '') AS snippet`;

export function searchText(value: unknown): string | undefined {
  const search = optionalString('search', value);
  if (search === undefined) return undefined;
  if (search.trim() === '' || search.length > MAX_SEARCH_LENGTH) {
    throw new ReaderArgumentError('search', `must be 1 to ${MAX_SEARCH_LENGTH} characters of text`, value);
  }
  return search;
}

/** Payload JSON around a hit as plain text: JSON escapes read, whitespace collapsed. */
export function plainSnippet(jsonText: string): string {
  return jsonText
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\[nrt]/g, ' ')
    .replace(/\\(["\\/])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}
