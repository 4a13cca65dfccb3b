/**
 * Reads spans from the Collector's `otel_traces` table, written by this package or by any
 * Collector version: columns a table lacks read as empty, older enum spellings are normalized,
 * and the trace-id lookup table bounds the scan when it exists.
 */
import { diag } from '@opentelemetry/api';
import type { ClickHouseClient } from '@clickhouse/client';
import { insertableColumns, qualifiedName, quoteIdentifier } from '../schema/ddl.js';
import { identifier, integerInRange, optionalBoolean, requireString } from './arguments.js';
import { camelCase, selectColumnAs } from './column-reading.js';
import { toTraceSpan, type TraceSpan, type TraceSpanRow } from './trace-span.js';
import { UI_SPAN_CONDITION } from './ui-spans.js';

export interface OtelTraceReaderOptions {
  client: ClickHouseClient;
  /** Default 'otel'. */
  database?: string;
  /** Default 'otel_traces'; its lookup table is `<table>_trace_id_ts`. */
  table?: string;
  /** The `llm_traces` table that maps runs to traces. Default 'llm_traces'. */
  llmTable?: string;
  /** Scopes `getRunTrace`. Default '' (the default organization). */
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
  traceId: string;
  spans: TraceSpan[];
}

export const DEFAULT_SPAN_LIMIT = 1000;
export const MAX_SPAN_LIMIT = 5000;

const logger = diag.createComponentLogger({ namespace: 'llm-traces/reader' });

/** What the traces table looks like on this server. */
interface TableLayout {
  selectList: string;
  hasLookupTable: boolean;
}

export class OtelTraceReader {
  readonly organizationId: string;
  private readonly client: ClickHouseClient;
  private readonly database: string;
  private readonly tableName: string;
  private readonly lookupTableName: string;
  private readonly llmTable: string;
  private layout: TableLayout | undefined;

  constructor(options: OtelTraceReaderOptions) {
    this.client = options.client;
    this.database = identifier('database', options.database ?? 'otel');
    this.tableName = identifier('table', options.table ?? 'otel_traces');
    this.lookupTableName = `${this.tableName}_trace_id_ts`;
    this.llmTable = qualifiedName(this.database, identifier('llmTable', options.llmTable ?? 'llm_traces'));
    // Only an absent option means the default organization: null is refused like any non-string.
    this.organizationId = options.organizationId === undefined ? '' : requireString('organizationId', options.organizationId, { allowEmpty: true });
  }

  /**
   * The trace's spans ordered by start time; none when the trace belongs to another organization.
   * `otel_traces` has no organization column: a trace belongs to the organizations of its LLM
   * calls, and a trace without any (or a table without llm_traces) to the default organization ''.
   */
  async getTraceSpans(traceId: string, options: TraceSpanOptions = {}): Promise<TraceSpan[]> {
    requireString('traceId', traceId);
    const checked = spanOptions(options, false);
    if (!(await this.isOwnTrace(traceId))) return [];
    return this.readSpans(traceId, checked);
  }

  private async isOwnTrace(traceId: string): Promise<boolean> {
    let row: { mine: string; others: string } | undefined;
    try {
      const result = await this.client.query({
        query:
          'SELECT toString(countIf(organization_id = {organizationId:String})) AS mine, toString(countIf(organization_id != {organizationId:String})) AS others ' +
          `FROM ${this.llmTable} WHERE trace_id = {traceId:String}`,
        query_params: { organizationId: this.organizationId, traceId },
        format: 'JSONEachRow',
      });
      [row] = await result.json<{ mine: string; others: string }>();
    } catch (error) {
      // A Collector-only deployment has no llm_traces table: every trace is the default organization's.
      if ((error as { type?: string }).type === 'UNKNOWN_TABLE') return this.organizationId === '';
      throw error;
    }
    return row!.mine !== '0' || (this.organizationId === '' && row!.others === '0');
  }

  /**
   * The trace of a run of this organization (the trace of its first LLM call), with only the
   * spans a run view shows unless `uiSpansOnly: false`; null when the organization has no such run.
   */
  async getRunTrace(runId: string, options: TraceSpanOptions = {}): Promise<RunTrace | null> {
    requireString('runId', runId);
    const checked = spanOptions(options, true);
    const result = await this.client.query({
      query:
        `SELECT trace_id AS traceId FROM ${this.llmTable} ` +
        `WHERE organization_id = {organizationId:String} AND run_id = {runId:String} AND trace_id != '' ` +
        'ORDER BY created_at ASC LIMIT 1',
      query_params: { organizationId: this.organizationId, runId },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ traceId: string }>();
    if (!row) return null;
    return { runId, traceId: row.traceId, spans: await this.readSpans(row.traceId, checked) };
  }

  private async readSpans(traceId: string, options: Required<TraceSpanOptions>): Promise<TraceSpan[]> {
    const layout = await this.tableLayout();
    const conditions = ['TraceId = {traceId:String}'];
    const params: Record<string, unknown> = { traceId, limit: options.limit };
    const bounds = layout.hasLookupTable ? await this.traceBounds(traceId) : undefined;
    if (bounds) {
      // The lookup table holds whole seconds: the Collector README's `Timestamp <= end + 1`.
      conditions.push('Timestamp >= toDateTime({traceStart:UInt32})', 'Timestamp <= toDateTime({traceEnd:UInt32}) + 1');
      Object.assign(params, bounds);
    } else {
      const lookupTable = qualifiedName(this.database, this.lookupTableName);
      const why = layout.hasLookupTable ? `trace ${traceId} is not in ${lookupTable}` : `no lookup table ${lookupTable}`;
      logger.debug(`${why}; reading trace ${traceId} with an unbounded scan`);
    }
    if (options.uiSpansOnly) conditions.push(UI_SPAN_CONDITION);
    const result = await this.client.query({
      query:
        `SELECT ${layout.selectList} FROM ${qualifiedName(this.database, this.tableName)} ` +
        `WHERE ${conditions.join(' AND ')} ORDER BY Timestamp, SpanId LIMIT {limit:UInt32}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return (await result.json<TraceSpanRow>()).map(toTraceSpan);
  }

  /** First and last second of the trace from the lookup table, if it is there. */
  private async traceBounds(traceId: string): Promise<{ traceStart: number; traceEnd: number } | undefined> {
    const result = await this.client.query({
      query:
        'SELECT toString(count()) AS found, toUnixTimestamp(min(Start)) AS traceStart, toUnixTimestamp(max(End)) AS traceEnd ' +
        `FROM ${qualifiedName(this.database, this.lookupTableName)} WHERE TraceId = {traceId:String}`,
      query_params: { traceId },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ found: string; traceStart: number; traceEnd: number }>();
    return row && row.found !== '0' ? { traceStart: row.traceStart, traceEnd: row.traceEnd } : undefined;
  }

  /**
   * Reads the table's columns once they are all there. A missing lookup table is checked again
   * on the next read, since the exporter may create it after this reader was made.
   */
  private async tableLayout(): Promise<TableLayout> {
    if (this.layout) return this.layout;
    const result = await this.client.query({
      query: 'SELECT table, name, type FROM system.columns WHERE database = {database:String} AND table IN ({table:String}, {lookupTable:String})',
      query_params: { database: this.database, table: this.tableName, lookupTable: this.lookupTableName },
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
    const selectList = insertableColumns('otel_traces')
      .map((column) => {
        const type = types.get(column);
        return type ? selectColumnAs(column, type, camelCase(column)) : `NULL AS ${quoteIdentifier(camelCase(column))}`;
      })
      .join(', ');
    const layout = { selectList, hasLookupTable: rows.some((row) => row.table === this.lookupTableName) };
    if (layout.hasLookupTable) this.layout = layout;
    return layout;
  }
}

function spanOptions(options: TraceSpanOptions, uiSpansOnlyByDefault: boolean): Required<TraceSpanOptions> {
  return {
    limit: integerInRange('limit', options.limit, DEFAULT_SPAN_LIMIT, 1, MAX_SPAN_LIMIT),
    uiSpansOnly: optionalBoolean('uiSpansOnly', options.uiSpansOnly) ?? uiSpansOnlyByDefault,
  };
}
