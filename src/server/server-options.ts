/** Options of the embedded ClickHouse HTTP server, their defaults and validation. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ChdbConnection } from 'chdb/connection';
import { DEFAULT_USER, UserTable, assertSafeToListen, userWithPassword, type User } from './auth.js';
import type { QueryLimits } from './embedded-engine.js';
import type { TenantTables } from './statement-guard.js';

export interface ClickHouseHttpServerOptions {
  /** chDB data directory; created when missing. */
  path: string;
  /** Address to listen on. Default 127.0.0.1; any non-loopback address requires a password. */
  host?: string;
  /** Default 8123, ClickHouse's HTTP port; 0 picks a free port. */
  port?: number;
  /** Default `default`. */
  user?: string;
  /** Default empty, which only a loopback host allows. */
  password?: string;
  /** More credentials (a users file), each optionally bound to organizations. */
  users?: readonly User[];
  /** Also run DROP, TRUNCATE, DELETE and rewriting ALTERs on the store's tables (`--allow-writes`). Default false. */
  allowWrites?: boolean;
  /** The store's tables, which an organization-bound credential reads filtered. Default otel.llm_traces and otel.otel_traces. */
  tenantTables?: TenantTables;
  /** More names for the Host header (a proxy's, a machine name); loopback names and the listen address are always accepted. */
  allowedHosts?: readonly string[];
  /** More origins whose pages may call the server (a dev server proxying to it). Default none. */
  allowedOrigins?: readonly string[];
  /** Largest request body accepted, counted after decompression. Default 256 MiB. */
  maxBodyBytes?: number;
  /** Request bodies held in memory at once, all requests together. Default twice maxBodyBytes. */
  maxBufferedBodyBytes?: number;
  /**
   * Requests worked on at once (once their body is in); further ones are refused with
   * TOO_MANY_SIMULTANEOUS_QUERIES, as a ClickHouse server at max_concurrent_queries does. Default 16.
   */
  maxConcurrentQueries?: number;
  /** Seconds a client has to send its request headers. Default 10. */
  headersTimeoutSeconds?: number;
  /** Seconds a client has to send its whole request, body included. Default 30. */
  requestTimeoutSeconds?: number;
  /** Each statement's time limit (max_execution_time). Default 60. */
  maxQuerySeconds?: number;
  /** Each statement's memory limit (max_memory_usage). Default 2 GiB. */
  maxQueryMemoryBytes?: number;
  /** Largest result a statement may produce (max_result_bytes). Default 256 MiB. */
  maxResultBytes?: number;
  /**
   * Routes under `/api/`, given the store's connection once it is open; requests are
   * authenticated, checked against the credential's organizations and admitted like queries,
   * and answered as JSON.
   */
  api?: (connection: ChdbConnection) => ApiHandler;
  /**
   * The web viewer: its JSON API under `/api/v1/` (authenticated and admitted like queries; it
   * writes its own responses, streamed where needed) and its static files for browser page loads.
   */
  viewer?: (connection: ChdbConnection) => ViewerHandlers;
}

export const VIEWER_API_PREFIX = '/api/v1/';

export interface ViewerHandlers {
  api: (request: IncomingMessage, response: ServerResponse, url: URL, organizations: readonly string[] | undefined) => Promise<void>;
  files: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;
}

export type ApiHandler = (method: string, url: URL, headers: IncomingHttpHeaders) => Promise<{ status: number; body: unknown }>;

export interface ResolvedServerOptions {
  path: string;
  host: string;
  port: number;
  owner: string;
  users: User[];
  allowWrites: boolean;
  tenantTables: TenantTables;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  maxBodyBytes: number;
  maxBufferedBodyBytes: number;
  maxConcurrentQueries: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  limits: QueryLimits;
  api: ((connection: ChdbConnection) => ApiHandler) | undefined;
  viewer: ((connection: ChdbConnection) => ViewerHandlers) | undefined;
}

export const DEFAULT_PORT = 8123;
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT_QUERIES = 16;
export const DEFAULT_TENANT_TABLES: TenantTables = { database: 'otel', llmTable: 'llm_traces', tracesTable: 'otel_traces' };

export function resolveServerOptions(options: ClickHouseHttpServerOptions): ResolvedServerOptions {
  if (typeof options.path !== 'string' || options.path.trim() === '') {
    throw new Error('llm-traces serve: `path` must name the data directory of the embedded ClickHouse store');
  }
  const host = options.host ?? '127.0.0.1';
  const password = options.password ?? '';
  const owner = options.user || DEFAULT_USER;
  const users = [userWithPassword(owner, password), ...(options.users ?? [])];
  if (new Set(users.map((user) => user.name)).size !== users.length) {
    throw new Error(`llm-traces serve: the user ${owner} is given by --user and by the users file; name each user once`);
  }
  // A users file alone turns authentication on: the password-less owner must not stay open beside it.
  if (password === '' && (options.users?.length ?? 0) > 0) users.shift();
  assertSafeToListen(host, new UserTable(users).passwordRequired);
  const headersSeconds = integerOption('headersTimeoutSeconds', options.headersTimeoutSeconds ?? 10, 1, 3600);
  const requestSeconds = integerOption('requestTimeoutSeconds', options.requestTimeoutSeconds ?? 30, 1, 3600);
  const maxBodyBytes = integerOption('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 1, Number.MAX_SAFE_INTEGER);
  return {
    path: options.path,
    host,
    port: integerOption('port', options.port ?? DEFAULT_PORT, 0, 65535),
    owner,
    users,
    allowWrites: options.allowWrites ?? false,
    tenantTables: options.tenantTables ?? DEFAULT_TENANT_TABLES,
    allowedHosts: options.allowedHosts ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
    maxBodyBytes,
    maxBufferedBodyBytes: integerOption(
      'maxBufferedBodyBytes',
      options.maxBufferedBodyBytes ?? 2 * maxBodyBytes,
      maxBodyBytes,
      Number.MAX_SAFE_INTEGER,
    ),
    maxConcurrentQueries: integerOption(
      'maxConcurrentQueries',
      options.maxConcurrentQueries ?? DEFAULT_MAX_CONCURRENT_QUERIES,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    // Node requires the headers time-out to be no longer than the whole request's.
    headersTimeoutMs: 1000 * Math.min(headersSeconds, requestSeconds),
    requestTimeoutMs: 1000 * requestSeconds,
    limits: {
      maxExecutionSeconds: integerOption('maxQuerySeconds', options.maxQuerySeconds ?? 60, 1, 86_400),
      maxMemoryBytes: integerOption(
        'maxQueryMemoryBytes',
        options.maxQueryMemoryBytes ?? 2 * 1024 ** 3,
        1024 ** 2,
        Number.MAX_SAFE_INTEGER,
      ),
      maxResultBytes: integerOption('maxResultBytes', options.maxResultBytes ?? 256 * 1024 ** 2, 1024, Number.MAX_SAFE_INTEGER),
    },
    api: options.api,
    viewer: options.viewer,
  };
}

function integerOption(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`llm-traces serve: \`${name}\` must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
