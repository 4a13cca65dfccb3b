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
import { ClickHouseServerError } from './server-error.js';

// Server defaults that chDB, a library, does not share: 64-bit integers are quoted in JSON output
// by a ClickHouse server, and clients rely on it to keep them exact.
const SERVER_DEFAULT_SETTINGS: ReadonlyArray<[name: string, value: string]> = [['output_format_json_quote_64bit_integers', '1']];

/** SQL that prepares the request's session. */
export function sessionSetupSql(request: QueryRequest): string {
  const statements: string[] = [];
  if (request.database !== undefined) statements.push(`USE ${quoteIdentifier(request.database)}`);
  // Separate statements, so the settings below are checked against read-only mode as a server does.
  if (request.readonly) statements.push('SET readonly = 2');
  const requested = new Set(request.settings.map(([name]) => name));
  const defaults = SERVER_DEFAULT_SETTINGS.filter(([name]) => !requested.has(name));
  const assignments = [
    ...[...defaults, ...request.settings].map(([name, value]) => assignment(name, value)),
    ...request.queryParams.map(([name, value]) => assignment(`param_${name}`, value)),
  ];
  statements.push(`SET ${assignments.join(', ')}`);
  return statements.join(';\n');
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

const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_]*';
// A column may be a Nested sub-column (`Events.Timestamp`).
const COLUMN = `${IDENTIFIER}(?:\\.${IDENTIFIER})?`;
const SIMPLE_INSERT = new RegExp(
  `^\\s*INSERT\\s+INTO\\s+(${IDENTIFIER}(?:\\.${IDENTIFIER})?)\\s*` +
    `(?:\\(\\s*(${COLUMN}(?:\\s*,\\s*${COLUMN})*)\\s*\\))?\\s*FORMAT\\s+(${IDENTIFIER})\\s*$`,
  'i',
);

/**
 * Recognizes the INSERT head `@clickhouse/client` sends (`INSERT INTO db.t (a, b) FORMAT JSONEachRow`)
 * so the body can go to chDB's raw insert: the bytes are handed over without becoming a JS string,
 * and the engine reports the rows written. Any other statement takes the general path.
 */
export function simpleInsert(query: string | undefined): SimpleInsert | undefined {
  const match = query === undefined ? null : SIMPLE_INSERT.exec(query);
  if (!match) return undefined;
  const [, table, columns, format] = match;
  if (table === undefined || format === undefined || !isRawInsertFormat(format)) return undefined;
  return { table, columns: columns?.split(',').map((column) => column.trim()), format };
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
