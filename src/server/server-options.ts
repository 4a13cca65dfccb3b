/** Options of the embedded ClickHouse HTTP server, their defaults and validation. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ChdbConnection } from 'chdb/connection';
import { DEFAULT_USER, assertSafeToListen, type Credentials } from './auth.js';

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
  /** Largest request body accepted, counted after decompression. Default 256 MiB. */
  maxBodyBytes?: number;
  /**
   * Requests admitted at once (reading their body or running); further ones are refused with
   * TOO_MANY_SIMULTANEOUS_QUERIES, as a ClickHouse server at max_concurrent_queries does. Default 16.
   */
  maxConcurrentQueries?: number;
  /**
   * Routes under `/api/`, given the store's connection once it is open; requests are
   * authenticated and admitted like queries, and answered as JSON.
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
  api: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;
  files: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;
}

export type ApiHandler = (method: string, url: URL, headers: IncomingHttpHeaders) => Promise<{ status: number; body: unknown }>;

export interface ResolvedServerOptions {
  path: string;
  host: string;
  port: number;
  credentials: Credentials;
  maxBodyBytes: number;
  maxConcurrentQueries: number;
  api: ((connection: ChdbConnection) => ApiHandler) | undefined;
  viewer: ((connection: ChdbConnection) => ViewerHandlers) | undefined;
}

export const DEFAULT_PORT = 8123;
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT_QUERIES = 16;

export function resolveServerOptions(options: ClickHouseHttpServerOptions): ResolvedServerOptions {
  if (typeof options.path !== 'string' || options.path.trim() === '') {
    throw new Error('llm-traces serve: `path` must name the data directory of the embedded ClickHouse store');
  }
  const host = options.host ?? '127.0.0.1';
  const password = options.password ?? '';
  assertSafeToListen(host, password);
  return {
    path: options.path,
    host,
    port: integerOption('port', options.port ?? DEFAULT_PORT, 0, 65535),
    credentials: { user: options.user || DEFAULT_USER, password },
    maxBodyBytes: integerOption('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 1, Number.MAX_SAFE_INTEGER),
    api: options.api,
    viewer: options.viewer,
    maxConcurrentQueries: integerOption(
      'maxConcurrentQueries',
      options.maxConcurrentQueries ?? DEFAULT_MAX_CONCURRENT_QUERIES,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
  };
}

function integerOption(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`llm-traces serve: \`${name}\` must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
