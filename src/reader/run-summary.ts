/**
 * Runs and agents as the sums of their calls: lists over a time window (runs keyset-paginated on
 * their aggregate, never OFFSET), and one run in full with its traces, calls and context growth.
 */
import { integerInRange, optionalString, requireString } from './arguments.js';
import { callFilter, resolveWindow, type Window } from './call-filter.js';
import { pageRequest, type Page, type SortOrder } from './keyset-page.js';
import { dateFromEpochNanos } from './column-reading.js';
import { ReaderArgumentError } from './errors.js';
import { llmTraceSelectList, toLlmTrace, type LlmTraceSummary } from './llm-trace.js';
import type { TokenField } from '../model/fields.js';
import type { OrganizationScope } from './organization-scope.js';
import { tokenSums, tokenSumsSelect } from './token-sums.js';
import { combineFilters, type SqlFilter } from './sql-filter.js';

/** The sums every group of calls (run, agent, trace) reports; unreported token buckets count 0. */
export interface CallSums extends Record<TokenField, number> {
  calls: number;
  errors: number;
  /** Sum over the priced calls; null when none is priced. */
  costUsd: string | null;
  unpricedCalls: number;
  firstSeen: Date;
  lastSeen: Date;
}

const SUMS_SELECT = [
  'toString(count()) AS calls',
  'toString(countIf(is_error)) AS errors',
  tokenSumsSelect(),
  'toString(sum(cost_usd)) AS costUsd',
  'toString(count() - count(cost_usd)) AS unpricedCalls',
  'toString(toUnixTimestamp64Nano(min(created_at))) AS firstSeen',
  // A call ends latency_ms after it started.
  'toString(max(toUnixTimestamp64Nano(created_at) + toInt64(latency_ms) * 1000000)) AS lastSeen',
].join(', ');

function toSums(row: Record<string, unknown>): CallSums {
  return {
    calls: Number(row.calls),
    errors: Number(row.errors),
    ...tokenSums(row),
    costUsd: (row.costUsd as string | null) ?? null,
    unpricedCalls: Number(row.unpricedCalls),
    firstSeen: dateFromEpochNanos(row.firstSeen as string),
    lastSeen: dateFromEpochNanos(row.lastSeen as string),
  };
}

export interface RunSummary extends CallSums {
  runId: string;
  agentId: string;
  traces: number;
}

export const RUN_SORTS = ['cost', 'last_seen', 'calls'] as const;
export type RunSort = (typeof RUN_SORTS)[number];

const RUN_SORT_KEYS: Record<RunSort, { expression: string; type: string }> = {
  cost: { expression: 'ifNull(sum(cost_usd), toDecimal128(-1, 9))', type: 'Decimal(38, 9)' },
  last_seen: { expression: 'max(created_at)', type: "DateTime64(6, 'UTC')" },
  calls: { expression: 'count()', type: 'UInt64' },
};

export interface RunCursor {
  key: string;
  runId: string;
}

export interface RunListOptions {
  start?: Date;
  end?: Date;
  agentId?: string;
  /** Default 'last_seen'. */
  sort?: RunSort;
  order?: SortOrder;
  /** Default 50, at most 1000. */
  limit?: number;
  after?: RunCursor;
}

/** Each run's sums within the window. */
export type RunPage = Page<RunSummary, RunCursor>;

/** Runs with calls in the window (calls without a run id are not a run). */
export async function readRunPage(scope: OrganizationScope, options: RunListOptions): Promise<RunPage> {
  const { sort, order, direction, limit, window } = pageRequest(options, RUN_SORTS, { sort: 'last_seen', limit: 50, maxLimit: 1000 });
  const key = RUN_SORT_KEYS[sort];
  const filter = combineFilters(callFilter({ ...window, agentId: optionalString('agentId', options.agentId) }), {
    conditions: ["run_id != ''"],
    params: { pageLimit: limit + 1 },
  });
  let having = '';
  if (options.after) {
    const afterKey = checkRunCursor(sort, options.after).key;
    // The key of a DateTime64 sort travels as epoch nanoseconds.
    const keyParam = sort === 'last_seen' ? "fromUnixTimestamp64Nano({afterKey:Int64}, 'UTC')" : `{afterKey:${key.type}}`;
    having = `HAVING (${key.expression}, run_id) ${order === 'desc' ? '<' : '>'} (${keyParam}, {afterRun:String})`;
    filter.params.afterKey = afterKey;
    filter.params.afterRun = requireString('after.runId', options.after.runId);
  }
  const sortKeyText = sort === 'last_seen' ? `toString(toUnixTimestamp64Nano(${key.expression}))` : `toString(${key.expression})`;
  const rows = await scope.select(
    `run_id AS runId, any(agent_id) AS agentId, toString(uniqExact(trace_id)) AS traces, ${SUMS_SELECT}, ${sortKeyText} AS sortKey`,
    filter,
    `GROUP BY run_id ${having} ORDER BY ${key.expression} ${direction}, run_id ${direction} LIMIT {pageLimit:UInt32}`,
  );
  const items = rows.slice(0, limit).map(toRunSummary);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, next: last ? { key: last.sortKey as string, runId: last.runId as string } : null, window };
}

function toRunSummary(row: Record<string, unknown>): RunSummary {
  return { runId: row.runId as string, agentId: row.agentId as string, traces: Number(row.traces), ...toSums(row) };
}

export interface AgentSummary extends CallSums {
  agentId: string;
  runs: number;
}

export const MAX_AGENTS = 1000;

/** Every agent with calls in the window ('' for calls outside any agent), the most expensive first. */
export async function readAgents(
  scope: OrganizationScope,
  options: { start?: Date; end?: Date },
): Promise<{ items: AgentSummary[]; window: Window }> {
  const window = resolveWindow(options);
  const rows = await scope.select(
    `agent_id AS agentId, toString(uniqExactIf(run_id, run_id != '')) AS runs, ${SUMS_SELECT}`,
    callFilter(window),
    `GROUP BY agent_id ORDER BY ifNull(sum(cost_usd), toDecimal128(-1, 9)) DESC, count() DESC, agent_id ASC LIMIT ${MAX_AGENTS}`,
  );
  return {
    items: rows.map((row) => ({ agentId: row.agentId as string, runs: Number(row.runs), ...toSums(row) })),
    window,
  };
}

export interface RunTraceSums extends CallSums {
  traceId: string;
}

/** Input tokens of one call of a run: what it read from cache against what it sent new. */
export interface ContextGrowthPoint {
  callId: string;
  stepId: string;
  time: Date;
  promptTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteTokens: number | null;
  /** prompt - cache read - cache write. */
  newInputTokens: number | null;
  completionTokens: number | null;
}

/** A run's totals and its traces, in the order the run reached them. */
export interface RunTraces {
  runId: string;
  agentId: string;
  totals: CallSums;
  /** By the time of each trace's first call; '' groups calls that carry no trace id. */
  traces: RunTraceSums[];
}

export interface RunDetail extends RunTraces {
  /** Oldest first. */
  calls: Array<LlmTraceSummary & { createdAtNs: string }>;
  /** The run has more calls than `maxCalls`; totals and traces still cover all of them. */
  callsTruncated: boolean;
  contextGrowth: ContextGrowthPoint[];
}

export const MAX_RUN_CALLS = 5000;

function runFilter(runId: string): SqlFilter {
  return { conditions: ['run_id = {runId:String}'], params: { runId: requireString('runId', runId) } };
}

/**
 * The run's totals and every trace it has with that trace's sums; null when the organization has
 * no such run. What the CLI's `trace --run`, the JSON API and the viewer's run page all show.
 */
export async function readRunTraces(scope: OrganizationScope, runId: string): Promise<RunTraces | null> {
  const filter = runFilter(runId);
  const [totalsRows, traceRows] = await Promise.all([
    scope.select(`any(agent_id) AS agentId, ${SUMS_SELECT}`, filter, 'HAVING count() > 0'),
    scope.select(`trace_id AS traceId, ${SUMS_SELECT}`, filter, 'GROUP BY trace_id ORDER BY min(created_at) ASC, trace_id ASC'),
  ]);
  const totalsRow = totalsRows[0];
  if (!totalsRow) return null;
  return {
    runId,
    agentId: totalsRow.agentId as string,
    totals: toSums(totalsRow),
    traces: traceRows.map((row) => ({ traceId: row.traceId as string, ...toSums(row) })),
  };
}

/** The run with every call (up to maxCalls), its traces and totals; null when the organization has no such run. */
export async function readRun(scope: OrganizationScope, runId: string, options: { maxCalls?: number } = {}): Promise<RunDetail | null> {
  const filter = runFilter(runId);
  const maxCalls = integerInRange('maxCalls', options.maxCalls, MAX_RUN_CALLS, 1, MAX_RUN_CALLS);
  const [run, callRows] = await Promise.all([
    readRunTraces(scope, runId),
    scope.select(
      `${llmTraceSelectList(false)}, toString(toUnixTimestamp64Nano(created_at)) AS createdAtNs`,
      combineFilters(filter, { conditions: [], params: { maxCalls: maxCalls + 1 } }),
      'ORDER BY created_at ASC, id ASC LIMIT {maxCalls:UInt32}',
    ),
  ]);
  if (!run) return null;
  const calls = callRows.slice(0, maxCalls).map((row) => ({ ...toLlmTrace(row), createdAtNs: row.createdAtNs as string }));
  return { ...run, calls, callsTruncated: callRows.length > maxCalls, contextGrowth: calls.map(contextGrowthPoint) };
}

/** Unreported usage stays null: a call without usage is a gap in the chart, not a zero. */
export function contextGrowthPoint(call: LlmTraceSummary): ContextGrowthPoint {
  const reported = call.hasUsage;
  const cached = call.cachedInputTokens ?? 0;
  const written = call.cacheWriteTokens ?? 0;
  return {
    callId: call.id,
    stepId: call.stepId,
    time: call.createdAt,
    promptTokens: reported ? call.promptTokens : null,
    cachedInputTokens: reported ? call.cachedInputTokens : null,
    cacheWriteTokens: reported ? call.cacheWriteTokens : null,
    newInputTokens: reported ? Math.max(0, call.promptTokens - cached - written) : null,
    completionTokens: reported ? call.completionTokens : null,
  };
}

/** Checks a run cursor's key is one the sort could have produced. */
function checkRunCursor(sort: RunSort, cursor: RunCursor): RunCursor {
  requireString('after.key', cursor.key);
  const pattern = sort === 'cost' ? /^-?\d{1,29}(\.\d{1,9})?$/ : /^\d{1,20}$/;
  if (!pattern.test(cursor.key)) throw new ReaderArgumentError('after.key', `is not a key of the '${sort}' sort`, cursor.key);
  return cursor;
}
