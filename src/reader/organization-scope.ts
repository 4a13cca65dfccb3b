/**
 * Every `llm_traces` query of a reader goes through one `OrganizationScope`: it adds the
 * organization filter, so no reader method can read another organization's rows, and it binds
 * every value as a query parameter.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { qualifiedName } from '../schema/ddl.js';
import { identifier, requireString } from './arguments.js';
import type { SqlFilter } from './sql-filter.js';

export interface OrganizationScopeOptions {
  client: ClickHouseClient;
  organizationId: string;
  database: string;
  table: string;
}

export class OrganizationScope {
  readonly organizationId: string;
  /** The quoted, qualified `llm_traces` table. */
  readonly table: string;
  readonly client: ClickHouseClient;

  constructor(options: OrganizationScopeOptions) {
    this.client = options.client;
    this.organizationId = requireString('organizationId', options.organizationId, { allowEmpty: true });
    this.table = qualifiedName(identifier('database', options.database), identifier('table', options.table));
  }

  /** `SELECT selectList FROM llm_traces WHERE <organization> AND filter tail`, rows as objects. */
  async select<T = Record<string, unknown>>(selectList: string, filter: SqlFilter, tail = ''): Promise<T[]> {
    const { query, params } = this.sql(selectList, filter, tail);
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  /** Several scoped SELECTs as one UNION ALL statement (one round trip); each part keeps its own tail. */
  async selectUnion<T = Record<string, unknown>>(
    parts: ReadonlyArray<{ selectList: string; filter: SqlFilter; tail?: string }>,
  ): Promise<T[]> {
    const statements = parts.map((part) => this.sql(part.selectList, part.filter, part.tail));
    const result = await this.client.query({
      query: statements.map((statement) => `(${statement.query})`).join(' UNION ALL '),
      query_params: Object.assign({}, ...statements.map((statement) => statement.params)),
      format: 'JSONEachRow',
    });
    return result.json<T>();
  }

  /**
   * The statement `select` runs, for callers that wrap it (a subquery, UNION ALL, EXPLAIN). The
   * organization condition comes first: organization_id leads the sort key.
   */
  sql(selectList: string, filter: SqlFilter, tail = ''): { query: string; params: Record<string, unknown> } {
    const where = ['organization_id = {organizationId:String}', ...filter.conditions].join(' AND ');
    return {
      query: `SELECT ${selectList} FROM ${this.table} WHERE ${where} ${tail}`.trimEnd(),
      params: { ...filter.params, organizationId: this.organizationId },
    };
  }
}
