/**
 * Turns a parsed HTTP request into the SQL the embedded engine runs. Each request gets a chDB
 * session of its own, so `USE` and `SET` here last exactly as long as the request, like the
 * per-request context of a real server. Query parameters are bound with `SET param_<name> = '...'`
 * because that hands the engine the client's raw text, which it parses for the placeholder's type
 * exactly as a server parses a `param_<name>` URL parameter (chDB's own binder would re-escape it).
 */
import { quoteIdentifier } from '../schema/ddl.js';
import type { RawInsertFormat } from 'chdb';
import type { QueryRequest } from './query-request.js';
import type { StatementKind } from './statement-guard.js';
import { ClickHouseServerError } from './server-error.js';

// Server defaults that chDB, a library, does not share: 64-bit integers are quoted in JSON output
// by a ClickHouse server, and clients rely on it to keep them exact.
const SERVER_DEFAULT_SETTINGS: ReadonlyArray<[name: string, value: string]> = [['output_format_json_quote_64bit_integers', '1']];

/**
 * SQL that prepares the request's session before the statement guard reads the statement: the
 * database and the raw parameter text (EXPLAIN AST substitutes parameters). The request's
 * settings come after the guard (requestSettingsSql), so they cannot change how it reads.
 */
export function sessionSetupSql(request: QueryRequest): string {
  const statements: string[] = [];
  if (request.database !== undefined) statements.push(`USE ${quoteIdentifier(request.database)}`);
  const parameters = queryParametersSql(request);
  if (parameters !== '') statements.push(parameters);
  return statements.join(';\n');
}

/** `SET param_<name> = '<raw text>'` for the request's query parameters ('' without any). */
export function queryParametersSql(request: QueryRequest): string {
  if (request.queryParams.length === 0) return '';
  return `SET ${request.queryParams.map(([name, value]) => assignment(`param_${name}`, value)).join(', ')}`;
}

/** The request's (already allowed) settings over the server defaults. */
export function requestSettingsSql(settings: ReadonlyArray<readonly [name: string, value: string]>): string {
  const requested = new Set(settings.map(([name]) => name));
  const defaults = SERVER_DEFAULT_SETTINGS.filter(([name]) => !requested.has(name));
  return `SET ${[...defaults, ...settings].map(([name, value]) => assignment(name, value)).join(', ')}`;
}

/** What the server enforces on a statement of a kind, applied last. */
export interface Enforcement {
  kind: StatementKind;
  /** Limits (max_execution_time, max_memory_usage, max_result_bytes) and the request's marker (log_comment). */
  settings: Readonly<Record<string, string | number>>;
  /** Row filters by `database.table` (an organization-bound credential's view of the store). */
  tableFilters: Readonly<Record<string, string>> | undefined;
}

/**
 * The engine's own guards, last: reads run in `readonly = 1` (a statement of its own, after which
 * nothing can be changed, neither by SET nor a SETTINGS clause), inserts without DDL.
 */
export function enforcementSql({ kind, settings, tableFilters }: Enforcement): string[] {
  const assignments = Object.entries(settings).map(([name, value]) => assignment(name, String(value)));
  if (tableFilters !== undefined) {
    const entries = Object.entries(tableFilters).map(([table, filter]) => `${quoteString(table)}: ${quoteString(filter)}`);
    assignments.push(`additional_table_filters = {${entries.join(', ')}}`);
  }
  if (kind === 'insert') assignments.push('allow_ddl = 0');
  const statements = assignments.length > 0 ? [`SET ${assignments.join(', ')}`] : [];
  if (kind === 'read') statements.push('SET readonly = 1');
  return statements;
}

function assignment(name: string, value: string): string {
  return `${quoteIdentifier(name)} = ${quoteString(value)}`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The statement: the `query` parameter, the body, or the parameter followed by the body (INSERT data). */
export function statementText(query: string | undefined, body: Uint8Array): string {
  const text = body.length > 0 ? decodeBody(body) : '';
  const statement = query !== undefined && text !== '' ? `${query}\n${text}` : (query ?? text);
  if (statement.trim() === '') throw new ClickHouseServerError('SYNTAX_ERROR', 'Empty query');
  return statement;
}

function decodeBody(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new ClickHouseServerError(
      'NOT_IMPLEMENTED',
      'The request body is not UTF-8 text. The embedded ClickHouse server accepts text formats only ' +
        '(JSONEachRow, JSONCompactEachRow, CSV, TabSeparated, ...), not binary ones such as RowBinary, Native or Parquet',
    );
  }
}

/** The formats chDB's raw insert accepts. */
const RAW_INSERT_FORMATS: readonly RawInsertFormat[] = [
  'JSONEachRow',
  'JSONCompactEachRow',
  'CSV',
  'CSVWithNames',
  'TSV',
  'TabSeparated',
  'TSVWithNames',
  'TabSeparatedWithNames',
];

export interface SimpleInsert {
  table: string;
  columns: string[] | undefined;
  format: RawInsertFormat;
}

// Plain names, bare or backquoted (the exporter quotes its table names); nothing that needs escaping.
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const IDENTIFIER = `(?:${NAME}|\`${NAME}\`)`;
// A column may be a Nested sub-column (`Events.Timestamp`).
const COLUMN = `(?:${NAME}(?:\\.${NAME})?|\`${NAME}(?:\\.${NAME})?\`)`;
const SIMPLE_INSERT = new RegExp(
  `^\\s*INSERT\\s+INTO\\s+(${IDENTIFIER}(?:\\.${IDENTIFIER})?)\\s*` +
    `(?:\\(\\s*(${COLUMN}(?:\\s*,\\s*${COLUMN})*)\\s*\\))?\\s*FORMAT\\s+(${NAME})\\s*$`,
  'i',
);

/**
 * Recognizes the INSERT head `@clickhouse/client` sends (`INSERT INTO db.t (a, b) FORMAT JSONEachRow`)
 * so the body can go to chDB's raw insert: the bytes are handed over without becoming a JS string
 * or SQL text, and the engine reports the rows written. Any other statement takes the general path.
 */
export function simpleInsert(query: string | undefined): SimpleInsert | undefined {
  const match = query === undefined ? null : SIMPLE_INSERT.exec(query);
  if (!match) return undefined;
  const [, table, columns, format] = match;
  if (table === undefined || format === undefined || !isRawInsertFormat(format)) return undefined;
  return { table: unquote(table), columns: columns?.split(',').map((column) => unquote(column.trim())), format };
}

function unquote(name: string): string {
  return name.replace(/`/g, '');
}

function isRawInsertFormat(format: string): format is RawInsertFormat {
  return (RAW_INSERT_FORMATS as readonly string[]).includes(format);
}

const TRAILING_FORMAT = /\bFORMAT\s+([A-Za-z_][A-Za-z0-9_]*)\s*;?\s*$/i;

/** The format a statement's result is written in, for `X-ClickHouse-Format` and the content type. */
export function outputFormat(statement: string, defaultFormat: string): string {
  if (/^\s*INSERT\b/i.test(statement)) return defaultFormat;
  return TRAILING_FORMAT.exec(statement)?.[1] ?? defaultFormat;
}

export function contentType(format: string): string {
  return format.startsWith('JSON') ? 'application/json; charset=UTF-8' : 'text/plain; charset=UTF-8';
}
