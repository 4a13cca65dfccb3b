/**
 * Reads spans from the Collector's `otel_traces` table, written by this package or by any
 * Collector version: columns a table lacks read as empty, older enum spellings are normalized,
 * and the trace-id lookup table bounds the scan when it exists. A trace is read in one request:
 * the organization check and the lookup are scalar subqueries of the span query. Each span
 * belongs to the organization it carries (`llm_traces.organization_id`, stamped on every span by
 * LlmContextSpanProcessor): a span of another organization is shown as structure only.
 */
import { diag } from '@opentelemetry/api';
import type { ClickHouseClient } from '@clickhouse/client';
import { insertableColumns, qualifiedName, quoteIdentifier } from '../schema/ddl.js';
import { identifier, integerInRange, optionalBoolean, requireString } from './arguments.js';
import { camelCase, selectColumnAs } from './column-reading.js';
import { OrganizationScope } from './organization-scope.js';
import { readRunTraces, type CallSums, type RunTraceSums } from './run-summary.js';
import { combineFilters, type SqlFilter } from './sql-filter.js';
import { APPLICATION_IDS } from '../model/fields.js';
import { toTraceSpan, withoutContent, type TraceSpan, type TraceSpanRow } from './trace-span.js';
import { UI_SPAN_CONDITION } from './ui-spans.js';

export interface OtelTraceReaderOptions {
  client: ClickHouseClient;
  /** Default 'otel'. */
  database?: string;
  /** Default 'otel_traces'; its lookup table is `<table>_trace_id_ts`. */
  table?: string;
  /** The `llm_traces` table that maps runs to traces. Default 'llm_traces'. */
  llmTable?: string;
  /** Scopes `getTraceSpans` and `getRunTrace`. Default '' (the default organization). */
  organizationId?: string;
}

export interface TraceSpanOptions {
  /** Default 1000, from 1 to 5000. */
  limit?: number;
  /** Keep only the spans a run view shows (see ui-spans.ts). */
  uiSpansOnly?: boolean;
}

export interface RunTrace {
  runId: string;
  /** The run's first trace; '' when none of its calls carries a trace id. */
  traceId: string;
  totals: CallSums;
  /** Each trace of the run with its sums, by the time of its first call. */
  traces: RunTraceSums[];
  /** The spans of every trace, trace after trace in that order, each trace by start time. */
  spans: TraceSpan[];
  /** The run has more spans than `limit`: the later ones are left out. */
  truncated: boolean;
}

export const DEFAULT_SPAN_LIMIT = 1000;
export const MAX_SPAN_LIMIT = 5000;

const logger = diag.createComponentLogger({ namespace: 'llm-traces/reader' });

/** The span attribute that says which organization a span belongs to ('' or absent: none said). */
const ORGANIZATION_ATTRIBUTE = APPLICATION_IDS.organizationId.attribute;
/** Selected with every span: the organization it carries. */
const SPAN_ORGANIZATION = 'SpanAttributes[{organizationAttribute:String}] AS spanOrganization';

interface OrganizationColumn {
  spanOrganization: string;
}

/** What the traces table looks like on this server. */
interface TableLayout {
  /** Column name to type, for the columns this table has. */
  types: Map<string, string>;
  selectList: string;
  hasLookupTable: boolean;
  hasLlmTable: boolean;
}

/** A span without its attributes, events and links: what a waterfall draws. */
export interface SkeletonSpan {
  /** Start, epoch nanoseconds. */
  timestampNs: string;
  spanId: string;
  parentSpanId: string;
  spanName: string;
  spanKind: string;
  serviceName: string;
  durationNs: string;
  statusCode: string;
  statusMessage: string;
  eventCount: number;
}

export interface TraceSkeletonOptions {
  /** Default 10_000, from 1 to 100_000. */
  limit?: number;
}

export const DEFAULT_SKELETON_LIMIT = 10_000;
export const MAX_SKELETON_LIMIT = 100_000;

/** The columns of a skeleton span, with the camelCase alias each is read as. */
const SKELETON_COLUMNS = [
  'Timestamp',
  'SpanId',
  'ParentSpanId',
  'SpanName',
  'SpanKind',
  'ServiceName',
  'Duration',
  'StatusCode',
  'StatusMessage',
];

export class OtelTraceReader {
  readonly organizationId: string;
  private readonly client: ClickHouseClient;
  private readonly database: string;
  private readonly tableName: string;
  private readonly lookupTableName: string;
  private readonly llmTableName: string;
  private layout: TableLayout | undefined;

  constructor(options: OtelTraceReaderOptions) {
    this.client = options.client;
    this.database = identifier('database', options.database ?? 'otel');
    this.tableName = identifier('table', options.table ?? 'otel_traces');
    this.lookupTableName = `${this.tableName}_trace_id_ts`;
    this.llmTableName = identifier('llmTable', options.llmTable ?? 'llm_traces');
    // Only an absent option means the default organization: null is refused like any non-string.
    this.organizationId =
      options.organizationId === undefined ? '' : requireString('organizationId', options.organizationId, { allowEmpty: true });
  }

  /**
   * The trace's spans ordered by start time; none when the trace belongs to another organization.
   * `otel_traces` has no organization column: a trace belongs to the organizations of its LLM
   * calls, and a trace without any (or a table without llm_traces) to the default organization ''.
   */
  async getTraceSpans(traceId: string, options: TraceSpanOptions = {}): Promise<TraceSpan[]> {
    requireString('traceId', traceId);
    const checked = spanOptions(options, false);
    const layout = await this.tableLayout();
    return (await this.readTraceRows<TraceSpanRow>(layout, layout.selectList, traceId, checked)).map((row) => this.visibleSpan(row));
  }

  /** The span as this organization may see it: whole when it carries no other organization. */
  private visibleSpan(row: TraceSpanRow & Partial<OrganizationColumn>): TraceSpan {
    const span = toTraceSpan(row);
    return this.isForeign(row) ? withoutContent(span) : span;
  }

  private isForeign(row: Partial<OrganizationColumn>): boolean {
    const carried = row.spanOrganization ?? '';
    return carried !== '' && carried !== this.organizationId;
  }

  /**
   * The trace's spans without attributes, events or links (a waterfall's skeleton), first by
   * start time; `truncated` when the trace has more than `limit`. Scoped and bounded like getTraceSpans.
   */
  async getTraceSkeleton(traceId: string, options: TraceSkeletonOptions = {}): Promise<{ spans: SkeletonSpan[]; truncated: boolean }> {
    requireString('traceId', traceId);
    const limit = integerInRange('limit', options.limit, DEFAULT_SKELETON_LIMIT, 1, MAX_SKELETON_LIMIT);
    const layout = await this.tableLayout();
    const selectList = [
      ...SKELETON_COLUMNS.map((column) => columnSelect(layout, column)),
      layout.types.has('Events.Name') ? 'length(`Events.Name`) AS eventCount' : '0 AS eventCount',
    ].join(', ');
    const rows = await this.readTraceRows<Record<string, unknown>>(layout, selectList, traceId, { limit: limit + 1, uiSpansOnly: false });
    const spans = rows.slice(0, limit).map((row): SkeletonSpan => {
      const span = this.visibleSpan(row as unknown as TraceSpanRow);
      return {
        timestampNs: span.timestampNs,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId,
        spanName: span.spanName,
        spanKind: span.spanKind,
        serviceName: span.serviceName,
        durationNs: span.durationNs,
        statusCode: span.statusCode,
        statusMessage: span.statusMessage,
        eventCount: this.isForeign(row as Partial<OrganizationColumn>) ? 0 : Number(row.eventCount),
      };
    });
    return { spans, truncated: rows.length > limit };
  }

  /** One span of the trace with everything stored about it, or null (also for a trace of another organization). */
  async getSpan(traceId: string, spanId: string): Promise<TraceSpan | null> {
    requireString('traceId', traceId);
    const extra = { conditions: ['SpanId = {spanId:String}'], params: { spanId: requireString('spanId', spanId) } };
    const layout = await this.tableLayout();
    const rows = await this.readTraceRows<TraceSpanRow>(layout, layout.selectList, traceId, { limit: 1, uiSpansOnly: false }, extra);
    return rows[0] ? this.visibleSpan(rows[0]) : null;
  }

  /**
   * Spans of a trace this organization may read: none when it may not. The check runs in the span
   * read itself (QUALIFY, before the order and the limit): whether a span carries the
   * organization is a window over the spans read, instead of a second read of the trace. `extra`
   * narrows the rows after the check, so the check still sees every span of the trace.
   */
  private async readTraceRows<T>(
    layout: TableLayout,
    selectList: string,
    traceId: string,
    options: Required<TraceSpanOptions>,
    extra?: SqlFilter,
  ): Promise<T[]> {
    const readable = this.readableCheck(layout);
    const qualify = combineFilters(
      { conditions: readable ? [readable.condition] : [], params: readable?.params ?? {} },
      ...(extra ? [extra] : []),
    );
    return this.readSpans<T>(layout, selectList, traceId, options, { qualify, callsCheck: readable?.callsCheck });
  }

  /**
   * True when this organization has an LLM call in the trace, or is the default one and the trace
   * has no LLM call of another organization; for another organization also when a span of the
   * trace carries it (a trace without LLM calls is its own too). The LLM-call check is a scalar
   * subquery (`callsCheck`, selected as readableByCalls), which ClickHouse runs once, before it
   * plans the span read; written into the QUALIFY expression itself it costs as much as the read.
   */
  private readableCheck(layout: TableLayout): { condition: string; callsCheck?: string; params: Record<string, unknown> } | undefined {
    const llmTable = qualifiedName(this.database, this.llmTableName);
    if (this.organizationId === '') {
      // A Collector-only deployment has no llm_traces table: every trace is the default organization's.
      if (!layout.hasLlmTable) return undefined;
      return {
        condition: 'readableByCalls',
        callsCheck: `(SELECT countIf(organization_id = '') > 0 OR count() = 0 FROM ${llmTable} WHERE trace_id = {traceId:String})`,
        params: {},
      };
    }
    const carries = 'max(SpanAttributes[{organizationAttribute:String}] = {organizationId:String}) OVER ()';
    const params = { organizationId: this.organizationId };
    if (!layout.hasLlmTable) return { condition: carries, params };
    return {
      condition: `(readableByCalls OR ${carries})`,
      // organization_id leads the llm_traces sort key: only this organization's rows are looked at.
      callsCheck: `(SELECT count() > 0 FROM ${llmTable} WHERE organization_id = {organizationId:String} AND trace_id = {traceId:String})`,
      params,
    };
  }

  /**
   * Every trace of a run of this organization, in the order the run reached them, with the run's
   * totals and each trace's sums (the same reading as the viewer's run page), and the spans of
   * those traces, trace after trace, each by start time. Only the spans a run view shows unless
   * `uiSpansOnly: false`; at most `limit` spans in all (`truncated` says some were left out).
   * Null when the organization has no such run.
   */
  async getRunTrace(runId: string, options: TraceSpanOptions = {}): Promise<RunTrace | null> {
    requireString('runId', runId);
    const checked = spanOptions(options, true);
    const scope = new OrganizationScope({
      client: this.client,
      organizationId: this.organizationId,
      database: this.database,
      table: this.llmTableName,
    });
    const run = await readRunTraces(scope, runId);
    if (!run) return null;
    const layout = await this.tableLayout();
    const spans: TraceSpan[] = [];
    let truncated = false;
    // The run's own calls are in these traces, so the organization may read them: no readable check.
    for (const { traceId } of run.traces) {
      if (traceId === '') continue;
      const left = checked.limit - spans.length;
      const rows = await this.readSpans<TraceSpanRow>(layout, layout.selectList, traceId, { ...checked, limit: left + 1 });
      if (rows.length > left) truncated = true;
      spans.push(...rows.slice(0, left).map((span) => this.visibleSpan(span)));
      if (truncated) break;
    }
    const first = run.traces.find((trace) => trace.traceId !== '');
    return { runId, traceId: first?.traceId ?? '', totals: run.totals, traces: run.traces, spans, truncated };
  }

  /**
   * The spans in one request: the lookup-table bounds are a scalar subquery, which ClickHouse runs
   * once, before it plans the span read, so the bounds prune partitions as literal times would.
   * `qualify` applies to the rows read, before the order and the limit.
   */
  private async readSpans<T>(
    layout: TableLayout,
    selectList: string,
    traceId: string,
    options: Required<TraceSpanOptions>,
    check?: { qualify: SqlFilter; callsCheck?: string },
  ): Promise<T[]> {
    const filters: SqlFilter[] = [
      {
        conditions: ['TraceId = {traceId:String}'],
        params: { traceId, limit: options.limit, organizationAttribute: ORGANIZATION_ATTRIBUTE },
      },
    ];
    const lookupTable = qualifiedName(this.database, this.lookupTableName);
    if (layout.hasLookupTable) {
      // Whole seconds, hence the Collector README's `Timestamp <= end + 1`; a trace the table lacks is read unbounded.
      const traceBounds = `(SELECT (count() > 0, toDateTime(min(Start)), toDateTime(max(End)) + 1) FROM ${lookupTable} WHERE TraceId = {traceId:String})`;
      filters.push({ conditions: [`(NOT (${traceBounds} AS bounds).1 OR Timestamp BETWEEN bounds.2 AND bounds.3)`], params: {} });
    } else {
      logger.debug(`no lookup table ${lookupTable}; reading trace ${traceId} with an unbounded scan`);
    }
    // Under a check, the UI filter comes after it: whether a span carries the organization is
    // decided over every span of the trace, not only the ones shown.
    const checked = check !== undefined && check.qualify.conditions.length > 0;
    const uiSpans: SqlFilter[] = options.uiSpansOnly ? [{ conditions: [UI_SPAN_CONDITION], params: {} }] : [];
    if (!checked) filters.push(...uiSpans);
    const { conditions, params } = combineFilters(...filters, { conditions: [], params: check?.qualify.params ?? {} });
    const callsColumn = check?.callsCheck ? `, ${check.callsCheck} AS readableByCalls` : '';
    const qualify = checked ? ` QUALIFY ${combineFilters(check.qualify, ...uiSpans).conditions.join(' AND ')}` : '';
    const result = await this.client.query({
      query:
        `SELECT ${selectList}, ${SPAN_ORGANIZATION}${callsColumn} FROM ${qualifiedName(this.database, this.tableName)} ` +
        `WHERE ${conditions.join(' AND ')}${qualify} ORDER BY Timestamp, SpanId LIMIT {limit:UInt32}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return result.json<T>();
  }

  /**
   * Reads the tables' columns once they are all there. A missing lookup or llm_traces table is
   * checked again on the next read, since the exporter may create it after this reader was made.
   */
  private async tableLayout(): Promise<TableLayout> {
    if (this.layout) return this.layout;
    const result = await this.client.query({
      query:
        'SELECT table, name, type FROM system.columns ' +
        'WHERE database = {database:String} AND table IN ({table:String}, {lookupTable:String}, {llmTable:String})',
      query_params: { database: this.database, table: this.tableName, lookupTable: this.lookupTableName, llmTable: this.llmTableName },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ table: string; name: string; type: string }>();
    const types = new Map(rows.filter((row) => row.table === this.tableName).map((row) => [row.name, row.type]));
    if (types.size === 0) {
      throw new Error(
        `llm-traces reader: table ${qualifiedName(this.database, this.tableName)} does not exist. ` +
          'Check the database and table options, or export spans first (the exporter creates it).',
      );
    }
    const has = (table: string): boolean => rows.some((row) => row.table === table);
    const layout: TableLayout = { types, selectList: '', hasLookupTable: has(this.lookupTableName), hasLlmTable: has(this.llmTableName) };
    layout.selectList = insertableColumns('otel_traces')
      .map((column) => columnSelect(layout, column))
      .join(', ');
    if (layout.hasLookupTable && layout.hasLlmTable) this.layout = layout;
    return layout;
  }
}

/** A column in its exact form under its camelCase alias; NULL for a column this table lacks (older Collectors). */
function columnSelect(layout: TableLayout, column: string): string {
  // Every row read holds the trace id asked for: selecting it saves decompressing the column.
  if (column === 'TraceId') return `{traceId:String} AS ${quoteIdentifier(camelCase(column))}`;
  const type = layout.types.get(column);
  return type ? selectColumnAs(column, type, camelCase(column)) : `NULL AS ${quoteIdentifier(camelCase(column))}`;
}

function spanOptions(options: TraceSpanOptions, uiSpansOnlyByDefault: boolean): Required<TraceSpanOptions> {
  return {
    limit: integerInRange('limit', options.limit, DEFAULT_SPAN_LIMIT, 1, MAX_SPAN_LIMIT),
    uiSpansOnly: optionalBoolean('uiSpansOnly', options.uiSpansOnly) ?? uiSpansOnlyByDefault,
  };
}
