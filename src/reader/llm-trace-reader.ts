/**
 * Reads `llm_traces` for one organization. Every query goes through one OrganizationScope, which
 * adds the organization filter, so no method can read another organization's rows. The viewer's
 * reads (pages, totals, runs, usage, errors, what-if) live in their own modules; this class is
 * their one entry point.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { CatalogPricer } from '../pricing/pricer.js';
import { integerInRange, optionalBoolean, requireString, timeRange } from './arguments.js';
import { readCallDetail, readPayload, type CallDetail, type Payload, type PayloadPart } from './call-detail.js';
import { callFilter, type CallFilterOptions, type Window } from './call-filter.js';
import { readCallPage, type CallPage, type CallPageOptions } from './call-list.js';
import { readCallFacets, readCallTotals, type CallFacets, type CallTotals } from './call-totals.js';
import { readErrorGroups, type ErrorGroup } from './error-groups.js';
import { llmTraceSelectList, toLlmTrace, type LlmTrace, type LlmTraceSummary } from './llm-trace.js';
import { OrganizationScope } from './organization-scope.js';
import { readAgents, readRun, readRunPage, type AgentSummary, type RunDetail, type RunListOptions, type RunPage } from './run-summary.js';
import { combineFilters, timeRangeFilter, type SqlFilter } from './sql-filter.js';
import { readUsageSeries, type UsageSeries, type UsageSeriesOptions } from './usage-series.js';
import { readUsageStats, type UsageStats, type UsageStatsOptions } from './usage-stats.js';
import { readUnpricedModels, type UnpricedModel } from './unpriced-models.js';
import { readWhatIf, type WhatIf } from './what-if.js';

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

export interface ListCallsOptions
  extends ListByAgentOptions, Pick<CallFilterOptions, 'runId' | 'traceId' | 'model' | 'serviceName' | 'userId' | 'conversationId'> {
  /** '' selects calls made outside any agent. */
  agentId?: string;
}

export type { UsageStatsOptions } from './usage-stats.js';

export interface FindLargeRequestsOptions extends ListOptions {
  /** Default 1_000_000. */
  minSizeBytes?: number;
}

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 1000;
const DEFAULT_MIN_REQUEST_SIZE_BYTES = 1_000_000;

type WithPayloads = { includePayloads: true };

export class LlmTraceReader {
  readonly organizationId: string;
  private readonly scope: OrganizationScope;

  constructor(options: LlmTraceReaderOptions) {
    this.scope = new OrganizationScope({
      client: options.client,
      organizationId: options.organizationId,
      database: options.database ?? 'otel',
      table: options.table ?? 'llm_traces',
    });
    this.organizationId = this.scope.organizationId;
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
    const { agentId, runId, traceId, model, serviceName, userId, conversationId, callType, isError, start, end } = options;
    const filter = callFilter({ agentId, runId, traceId, model, serviceName, userId, conversationId, callType, isError, start, end });
    return this.readList(filter, 'created_at DESC, id DESC', options);
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
    return readUsageStats(this.scope, options);
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

  /**
   * A page of calls under the shared filters, keyset-paginated: pass the page's `next` as `after`
   * for the following one. Bounded by a window (default the last 24 hours).
   */
  async listCallPage(options: CallPageOptions = {}): Promise<CallPage> {
    return readCallPage(this.scope, options);
  }

  /** Counts, token sums, cost and latency quantiles of the filtered calls. */
  async getCallTotals(options: CallFilterOptions = {}): Promise<CallTotals> {
    return readCallTotals(this.scope, options);
  }

  /** The 50 most frequent values of agent, run, model, provider, call type and tag, each under the other filters. */
  async getCallFacets(options: CallFilterOptions = {}): Promise<CallFacets> {
    return readCallFacets(this.scope, options);
  }

  /** The call without its payloads, with their stored sizes and whether they were cut; null when absent. */
  async getCallDetail(id: string): Promise<CallDetail | null> {
    return readCallDetail(this.scope, id);
  }

  /** One payload of a call, cut at `maxBytes` (default 2 MiB); null when there is no such call. */
  async getPayload(id: string, part: PayloadPart, options: { maxBytes?: number } = {}): Promise<Payload | null> {
    return readPayload(this.scope, id, part, options);
  }

  /** Runs with calls in the window, keyset-paginated on their sort. */
  async listRuns(options: RunListOptions = {}): Promise<RunPage> {
    return readRunPage(this.scope, options);
  }

  /** Every agent with calls in the window. */
  async listAgents(options: { start?: Date; end?: Date } = {}): Promise<{ items: AgentSummary[]; window: Window }> {
    return readAgents(this.scope, options);
  }

  /** A run with its totals, traces, calls (oldest first) and context growth; null when absent. */
  async getRun(runId: string, options: { maxCalls?: number } = {}): Promise<RunDetail | null> {
    return readRun(this.scope, runId, options);
  }

  /** Usage per bucket and group and per bucket overall, cache savings priced with `pricer`. */
  async getUsageSeries(options: UsageSeriesOptions, pricer: CatalogPricer): Promise<UsageSeries> {
    return readUsageSeries(this.scope, options, pricer);
  }

  /** Failed calls grouped by provider, error type and normalized message, the largest group first. */
  async getErrorGroups(options: CallFilterOptions & { limit?: number } = {}): Promise<{ groups: ErrorGroup[]; window: Window }> {
    return readErrorGroups(this.scope, options);
  }

  /** The stored cost of the filtered calls against their cost under `pricer`'s table. Writes nothing. */
  async getWhatIf(options: CallFilterOptions, pricer: CatalogPricer): Promise<WhatIf> {
    return readWhatIf(this.scope, options, pricer);
  }

  /** Models of calls in the window that reported usage but have no cost, most such calls first. */
  async getUnpricedModels(options: CallFilterOptions = {}): Promise<{ models: UnpricedModel[]; window: Window }> {
    return readUnpricedModels(this.scope, options);
  }

  private async select(selectList: string, filter: SqlFilter, tail: string): Promise<Record<string, unknown>[]> {
    return this.scope.select(selectList, filter, tail);
  }
}
