/**
 * Reads a ClickHouse HTTP request's parameters the way ClickHouse's HTTP handler does: a few
 * reserved names (query, database, default_format, query_id, credentials, ...), `param_<name>` query
 * parameters, and every other parameter is a setting for this one query. Unknown settings are not
 * filtered here: the engine rejects them with UNKNOWN_SETTING, as a real server does.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ClickHouseServerError } from './server-error.js';

export interface QueryRequest {
  /** The `query` parameter. When the request also has a body, the body follows it (e.g. INSERT data). */
  query: string | undefined;
  database: string | undefined;
  /** Output format when the statement has no FORMAT clause. */
  defaultFormat: string;
  /** `param_<name>` values, still in ClickHouse's escaped text form, as the client sent them. */
  queryParams: Array<[name: string, value: string]>;
  /** Settings that apply to this query only. */
  settings: Array<[name: string, value: string]>;
  /** GET requests run read-only (`readonly = 2`), as on a real server. */
  readonly: boolean;
}

export type ResponseEncoding = 'br' | 'gzip' | 'deflate';

export const DEFAULT_FORMAT = 'TabSeparated';
const QUERY_PARAMETER_PREFIX = 'param_';

/** Names the handler consumes itself or that have no meaning here (every request is buffered to the end). */
const RESERVED = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'user',
  'password',
  'quota_key',
  'stacktrace',
  'role',
  'buffer_size',
  'wait_end_of_query',
  'session_timeout',
  'session_check',
  'close_session',
  'client_protocol_version',
  'compress',
  'decompress',
]);

/** Why a parameter cannot be honoured here (ignoring it would silently change results), if it cannot. */
function unsupportedReason(name: string, value: string): string | undefined {
  if (name === 'session_id') {
    return 'HTTP sessions (session_id) are not supported by the embedded ClickHouse server: every request runs in a session of its own. Remove session_id';
  }
  if (name === 'compress' && isTrue(value)) {
    return "ClickHouse's native response compression (compress=1) is not supported; use HTTP compression (enable_http_compression=1 with Accept-Encoding: gzip)";
  }
  if (name === 'decompress' && isTrue(value)) {
    return "ClickHouse's native request compression (decompress=1) is not supported; send the body with Content-Encoding: gzip instead";
  }
  return undefined;
}

export function parseQueryRequest(method: string, params: URLSearchParams, headers: IncomingHttpHeaders): QueryRequest {
  const queryParams: QueryRequest['queryParams'] = [];
  const settings: QueryRequest['settings'] = [];
  for (const [name, value] of params) {
    const unsupported = unsupportedReason(name, value);
    if (unsupported !== undefined) throw new ClickHouseServerError('NOT_IMPLEMENTED', unsupported);
    if (name === '' || RESERVED.has(name)) continue;
    if (name.startsWith(QUERY_PARAMETER_PREFIX) && name.length > QUERY_PARAMETER_PREFIX.length) {
      queryParams.push([name.slice(QUERY_PARAMETER_PREFIX.length), value]);
    } else {
      settings.push([name, value]);
    }
  }
  return {
    query: params.get('query') ?? undefined,
    database: header(headers, 'x-clickhouse-database') || params.get('database') || undefined,
    defaultFormat: header(headers, 'x-clickhouse-format') || params.get('default_format') || DEFAULT_FORMAT,
    queryParams,
    settings,
    readonly: method === 'GET' || method === 'HEAD',
  };
}

/** The client's query id (parameter, then header), or a new one: ClickHouse always reports one. */
export function queryId(params: URLSearchParams, headers: IncomingHttpHeaders): string {
  return params.get('query_id') || header(headers, 'x-clickhouse-query-id') || randomUUID();
}

/**
 * The response is compressed only when the client asks twice, as ClickHouse requires: the
 * `enable_http_compression` setting and an Accept-Encoding this server can produce.
 */
export function responseEncoding(params: URLSearchParams, acceptEncoding: string | undefined): ResponseEncoding | undefined {
  const enabled = params.get('enable_http_compression');
  if (enabled === null || !isTrue(enabled) || !acceptEncoding) return undefined;
  const accepted = acceptEncoding.toLowerCase();
  // ClickHouse's order of preference among the codecs Node's zlib provides.
  return (['br', 'gzip', 'deflate'] as const).find((codec) => accepted.includes(codec));
}

/** `http_zlib_compression_level` (1-9, ClickHouse's default 3) for gzip and deflate responses. */
export function compressionLevel(params: URLSearchParams): number {
  const level = Number(params.get('http_zlib_compression_level') ?? 3);
  return Number.isInteger(level) && level >= 1 && level <= 9 ? level : 3;
}

function isTrue(value: string): boolean {
  return /^(1|true|yes|on)$/i.test(value.trim());
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
