/**
 * Reads `llm_traces` for one organization. The organization filter is added to every query in
 * one place (`select`), so no method can read another organization's rows.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { qualifiedName } from '../schema/ddl.js';
import { identifier, integerInRange, oneOf, optionalBoolean, optionalString, requireString, timeRange } from './arguments.js';
import { llmTraceSelectList, toLlmTrace, type LlmTrace, type LlmTraceSummary } from './llm-trace.js';
import { combineFilters, timeRangeFilter, type SqlFilter } from './sql-filter.js';
import {
  toUsageStats,
  USAGE_BUCKETS,
  USAGE_GROUP_BY,
  usageStatsSelectList,
  type UsageBucket,
  type UsageGroupBy,
  type UsageStats,
} from './usage-stats.js';

export interface LlmTraceReaderOptions {
  client: ClickHouseClient;
  /** '' is the default organization of a single-tenant app. */
  organizationId: string;
  /** Default 'otel'. */
  database?: string;
  /** Default 'llm_traces'. */
  table?: string;
}

export interface ListOptions {
  /** Inclusive. */
  start?: Date;
  /** Exclusive. */
  end?: Date;
  /** Default 50, at most 1000. */
  limit?: number;
  /** Default 0. */
  offset?: number;
  /** Also return requestJson, responseJson and llmConfigJson (large). Default false. */
  includePayloads?: boolean;
}

export interface ListByAgentOptions extends ListOptions {
  callType?: string;
  isError?: boolean;
}

export interface ListCallsOptions extends ListByAgentOptions {
  /** '' selects calls made outside any agent. */
  agentId?: string;
  runId?: string;
  traceId?: string;
}

export interface UsageStatsOptions {
  groupBy: UsageGroupBy;
  /** One row per hour or day (UTC) and group. */
  bucket?: UsageBucket;
  start?: Date;
  end?: Date;
}

export interface FindLargeRequestsOptions extends ListOptions {
  /** Default 1_000_000. */
  minSizeBytes?: number;
}

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 1000;
const DEFAULT_MIN_REQUEST_SIZE_BYTES = 1_000_000;

type WithPayloads = { includePayloads: true };

/** The `list` options that filter on column equality, with their column. */
const EQUALITY_FILTERS = [
  ['agentId', 'agent_id'],
  ['callType', 'call_type'],
  ['runId', 'run_id'],
  ['traceId', 'trace_id'],
] as const satisfies ReadonlyArray<readonly [keyof ListCallsOptions, string]>;

export class LlmTraceReader {
  readonly organizationId: string;
  private readonly client: ClickHouseClient;
  private readonly table: string;

  constructor(options: LlmTraceReaderOptions) {
    this.client = options.client;
    this.organizationId = requireString('organizationId', options.organizationId, { allowEmpty: true });
    this.table = qualifiedName(identifier('database', options.database ?? 'otel'), identifier('table', options.table ?? 'llm_traces'));
  }

  /** The call with this id, or null. */
  async getById(id: string): Promise<LlmTrace | null> {
    const filter = { conditions: ['id = {id:String}'], params: { id: requireString('id', id) } };
    return this.first(filter);
  }

  /** The latest call of this step, or null. */
  async getByStepId(stepId: string): Promise<LlmTrace | null> {
    const filter = { conditions: ['step_id = {stepId:String}'], params: { stepId: requireString('stepId', stepId) } };
    return this.first(filter);
  }

  /** Calls matching every given filter, newest first. */
  list(options: ListCallsOptions & WithPayloads): Promise<LlmTrace[]>;
  list(options?: ListCallsOptions): Promise<LlmTraceSummary[]>;
  async list(options: ListCallsOptions = {}): Promise<LlmTraceSummary[]> {
    const filters: SqlFilter[] = [timeRangeFilter('created_at', timeRange(options.start, options.end))];
    for (const [option, column] of EQUALITY_FILTERS) {
      const value = optionalString(option, options[option]);
      if (value !== undefined) filters.push({ conditions: [`${column} = {${option}:String}`], params: { [option]: value } });
    }
    const isError = optionalBoolean('isError', options.isError);
    if (isError !== undefined) filters.push({ conditions: ['is_error = {isError:Bool}'], params: { isError: isError ? 1 : 0 } });
    return this.readList(combineFilters(...filters), 'created_at DESC, id DESC', options);
  }

  /** The agent's calls, newest first. `agentId` '' lists calls made outside any agent. */
  listByAgent(agentId: string, options: ListByAgentOptions & WithPayloads): Promise<LlmTrace[]>;
  listByAgent(agentId: string, options?: ListByAgentOptions): Promise<LlmTraceSummary[]>;
  async listByAgent(agentId: string, options: ListByAgentOptions = {}): Promise<LlmTraceSummary[]> {
    return this.list({ ...options, agentId: requireString('agentId', agentId, { allowEmpty: true }) });
  }

  /**
   * Per-group usage for this organization, the busiest group first; with `bucket`, a time series
   * (one row per bucket and group, oldest bucket first) for charts such as cost per day.
   */
  async getUsageStats(options: UsageStatsOptions): Promise<UsageStats[]> {
    const groupBy = oneOf('groupBy', options?.groupBy, USAGE_GROUP_BY);
    const bucket = options.bucket === undefined ? undefined : oneOf('bucket', options.bucket, USAGE_BUCKETS);
    const filter = timeRangeFilter('created_at', timeRange(options.start, options.end));
    const tail = bucket
      ? 'GROUP BY bucketStart, key ORDER BY bucketStart ASC, count() DESC, key ASC'
      : 'GROUP BY key ORDER BY count() DESC, key ASC';
    const rows = await this.select(usageStatsSelectList(groupBy, bucket), filter, tail);
    return rows.map(toUsageStats);
  }

  /** Calls whose request is at least `minSizeBytes`, largest first. */
  findLargeRequests(options: FindLargeRequestsOptions & WithPayloads): Promise<LlmTrace[]>;
  findLargeRequests(options?: FindLargeRequestsOptions): Promise<LlmTraceSummary[]>;
  async findLargeRequests(options: FindLargeRequestsOptions = {}): Promise<LlmTraceSummary[]> {
    const minSizeBytes = integerInRange('minSizeBytes', options.minSizeBytes, DEFAULT_MIN_REQUEST_SIZE_BYTES, 0, Number.MAX_SAFE_INTEGER);
    const filter = combineFilters(
      { conditions: ['request_size_bytes >= {minSizeBytes:UInt64}'], params: { minSizeBytes } },
      timeRangeFilter('created_at', timeRange(options.start, options.end)),
    );
    return this.readList(filter, 'request_size_bytes DESC, created_at DESC, id DESC', options);
  }

  private async first(filter: SqlFilter): Promise<LlmTrace | null> {
    const rows = await this.select(llmTraceSelectList(true), filter, 'ORDER BY created_at DESC, id DESC LIMIT 1');
    return rows[0] ? toLlmTrace(rows[0]) : null;
  }

  private async readList(filter: SqlFilter, orderBy: string, options: ListOptions): Promise<LlmTrace[]> {
    const limit = integerInRange('limit', options.limit, DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    const offset = integerInRange('offset', options.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const includePayloads = optionalBoolean('includePayloads', options.includePayloads) ?? false;
    const rows = await this.select(
      llmTraceSelectList(includePayloads),
      combineFilters(filter, { conditions: [], params: { limit, offset } }),
      `ORDER BY ${orderBy} LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
    );
    return rows.map(toLlmTrace);
  }

  /** Every query goes through here: it adds the organization filter. */
  private async select(selectList: string, filter: SqlFilter, tail: string): Promise<Record<string, unknown>[]> {
    const where = ['organization_id = {organizationId:String}', ...filter.conditions].join(' AND ');
    const result = await this.client.query({
      query: `SELECT ${selectList} FROM ${this.table} WHERE ${where} ${tail}`,
      query_params: { ...filter.params, organizationId: this.organizationId },
      format: 'JSONEachRow',
    });
    return result.json<Record<string, unknown>>();
  }
}
