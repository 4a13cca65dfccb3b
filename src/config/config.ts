/**
 * Configuration, layered as the OTel exporters do it: options object first, then environment
 * variables (`OTEL_EXPORTER_CLICKHOUSE_*` with the ClickHouse client's customary fallbacks), then
 * defaults. Invalid values raise a `ConfigError` that names the option or variable and the fix.
 */
import { getStringFromEnv } from '@opentelemetry/core';
import type { ClickHouseClient } from '@clickhouse/client';
import type { PricingOptions } from '../pricing/index.js';

export interface ClickHouseTraceExporterOptions {
  /** `http(s)://host:port`, `host:port` or `host`. Absent: embedded ClickHouse (chDB) at `path`. */
  endpoint?: string;
  username?: string;
  password?: string;
  database?: string;
  /** Embedded data directory (chDB), used when there is no endpoint. */
  path?: string;
  /** Create database, tables and missing columns at start (turn off where DDL is managed elsewhere). */
  createSchema?: boolean;
  /** Rows older than this many days are dropped by ClickHouse (TTL). */
  ttlDays?: number;
  /** Table for every span; `null` or `'none'` writes no otel_traces rows (a Collector already does). */
  tracesTable?: string | null;
  llmTable?: string;
  timeoutMs?: number;
  /** `ON CLUSTER` name for schema creation; tables use the Replicated* engines. */
  cluster?: string;
  /** A ready client; the exporter then neither creates nor closes one. */
  client?: ClickHouseClient;
  /** Prices that override or extend the bundled table. */
  prices?: PricingOptions['prices'];
  /** A JSON file of price entries (env OTEL_EXPORTER_CLICKHOUSE_PRICES_FILE). */
  pricesFile?: string;
  /** Consulted before any price table for every call. */
  priceFn?: PricingOptions['priceFn'];
  /**
   * Bounds of the delivery buffer: rows accepted and not yet stored. A full buffer makes an export
   * wait for room while ClickHouse works; while it fails, the oldest are dropped first.
   */
  maxBufferBytes?: number;
  maxBufferRows?: number;
  /** How long a batch keeps being retried before it is dropped as expired. */
  retryBudgetMs?: number;
  /** Inserts in flight at once. */
  maxConcurrentInserts?: number;
  /** How long `shutdown` waits for buffered batches before giving up on them. */
  shutdownTimeoutMs?: number;
  /** false: store no request/response payloads or message content (ids, model, tokens only). */
  storePayloads?: boolean;
  /** Bytes kept of each payload field (default 1 MiB); longer ones are cut with a visible marker. */
  maxPayloadBytes?: number;
  /**
   * Bytes kept of each attribute value in both tables (default 64 KiB; the SDK's
   * OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT when set), cut with the same marker as payloads.
   */
  maxAttributeBytes?: number;
  /**
   * Also keep the message content of LLM spans in otel_traces attributes. Off by default: it is
   * stored in llm_traces, and storing it twice doubles the cost of the largest values.
   */
  contentInTraces?: boolean;
  /** Redacts or drops more (PII) after the built-in credential redaction; undefined stores nothing. */
  redactPayload?: PayloadPolicy['redact'];
}

/** Bytes kept of an attribute value unless configured: a large value is content, not an attribute. */
export const DEFAULT_MAX_ATTRIBUTE_BYTES = 64 * 1024;

/** Which payload column a payload is stored in. */
export type PayloadField = 'request_json' | 'response_json' | 'llm_config_json';

/** What is stored of request/response payloads (rows/payload.ts applies it). */
export interface PayloadPolicy {
  /** false: store no payloads at all (ids, model, tokens and timings only). */
  store: boolean;
  /** Also keep an LLM span's message-content attributes in otel_traces (stored twice then). */
  contentInTraces?: boolean;
  /** Bytes kept of each payload field; longer ones are cut and marked. */
  maxBytes: number;
  /** Bytes kept of each attribute value (span, event, link, resource, metadata); cut and marked the same way. */
  maxAttributeBytes?: number;
  /** Redacts or drops more (PII): return the text to store, or undefined to store nothing. */
  redact?: (text: string, field: PayloadField) => string | undefined;
}

/** Bounds of delivery: inserts in flight, the delivery buffer, the retry budget. */
export interface DeliveryLimits {
  maxInFlight: number;
  maxBufferBytes: number;
  maxBufferRows: number;
  /** How long a batch may keep failing before it is dropped as expired. */
  retryBudgetMs: number;
}

export type ResolvedConnection =
  | { kind: 'client'; client: ClickHouseClient }
  | { kind: 'server'; url: string; pathname: string; username: string; password: string; timeoutMs: number }
  | {
      kind: 'embedded';
      path: string;
      /** The credentials and timeout used if `llm-traces serve` holds this store (store/serve-address.ts). */
      username?: string;
      password?: string;
      timeoutMs?: number;
    };

export interface ResolvedConfig {
  connection: ResolvedConnection;
  database: string;
  tracesTable: string | undefined;
  llmTable: string;
  createSchema: boolean;
  ttlDays: number | undefined;
  cluster: string | undefined;
  timeoutMs: number;
  pricing: PricingOptions;
  delivery: DeliveryLimits;
  shutdownTimeoutMs: number;
  payloads: PayloadPolicy;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const PREFIX = 'OTEL_EXPORTER_CLICKHOUSE_';
const DEFAULT_HTTP_PORT = '8123';
const DEFAULT_HTTPS_PORT = '8443';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A value with the name of where it came from, so errors can name it. */
interface Sourced<T> {
  value: T;
  source: string;
}

function pick<T>(option: T | undefined, optionName: string, envNames: string[]): Sourced<T | string> | undefined {
  if (option !== undefined) return { value: option, source: `option '${optionName}'` };
  for (const name of envNames) {
    const value = getStringFromEnv(name);
    if (value !== undefined) return { value, source: `environment variable ${name}` };
  }
  return undefined;
}

export function resolveConfig(options: ClickHouseTraceExporterOptions = {}): ResolvedConfig {
  const database = identifier(pick(options.database, 'database', [`${PREFIX}DATABASE`, 'CLICKHOUSE_DATABASE']), 'otel');
  const llmTable = identifier(pick(options.llmTable, 'llmTable', [`${PREFIX}LLM_TABLE`]), 'llm_traces');
  const traces =
    options.tracesTable === null
      ? { value: 'none', source: "option 'tracesTable'" }
      : pick(options.tracesTable, 'tracesTable', [`${PREFIX}TRACES_TABLE`]);
  const tracesTable = traces?.value === 'none' ? undefined : identifier(traces, 'otel_traces');
  if (tracesTable === llmTable) {
    throw new ConfigError(`llm-traces: the traces table and the LLM table are both '${llmTable}'; give them different names.`);
  }
  const timeoutMs = positiveInteger(pick(options.timeoutMs, 'timeoutMs', [`${PREFIX}TIMEOUT`])) ?? 10_000;
  const ttl = pick(options.ttlDays, 'ttlDays', [`${PREFIX}TTL_DAYS`]);
  const ttlDays = positiveInteger(ttl);
  const createSchema = boolean(pick(options.createSchema, 'createSchema', [`${PREFIX}CREATE_SCHEMA`])) ?? true;
  const clusterValue = pick(options.cluster, 'cluster', [`${PREFIX}CLUSTER`]);
  const cluster = clusterValue ? identifier(clusterValue, '') : undefined;
  const pricesFile = pick(options.pricesFile, 'pricesFile', [`${PREFIX}PRICES_FILE`]);
  const delivery: DeliveryLimits = {
    maxBufferBytes: positiveInteger(pick(options.maxBufferBytes, 'maxBufferBytes', [`${PREFIX}BUFFER_MAX_BYTES`])) ?? 64 * 1024 * 1024,
    maxBufferRows: positiveInteger(pick(options.maxBufferRows, 'maxBufferRows', [`${PREFIX}BUFFER_MAX_ROWS`])) ?? 200_000,
    retryBudgetMs: positiveInteger(pick(options.retryBudgetMs, 'retryBudgetMs', [`${PREFIX}RETRY_BUDGET`])) ?? 300_000,
    maxInFlight: positiveInteger(pick(options.maxConcurrentInserts, 'maxConcurrentInserts', [`${PREFIX}MAX_CONCURRENT_INSERTS`])) ?? 4,
  };
  const payloads: PayloadPolicy = {
    store: boolean(pick(options.storePayloads, 'storePayloads', [`${PREFIX}STORE_PAYLOADS`])) ?? true,
    maxBytes: positiveInteger(pick(options.maxPayloadBytes, 'maxPayloadBytes', [`${PREFIX}MAX_PAYLOAD_BYTES`])) ?? 1024 * 1024,
    maxAttributeBytes:
      positiveInteger(
        pick(options.maxAttributeBytes, 'maxAttributeBytes', [`${PREFIX}MAX_ATTRIBUTE_BYTES`, 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT']),
      ) ?? DEFAULT_MAX_ATTRIBUTE_BYTES,
    contentInTraces: boolean(pick(options.contentInTraces, 'contentInTraces', [`${PREFIX}CONTENT_IN_TRACES`])) ?? false,
    redact: options.redactPayload,
  };
  return {
    delivery,
    payloads,
    shutdownTimeoutMs: positiveInteger(pick(options.shutdownTimeoutMs, 'shutdownTimeoutMs', [`${PREFIX}SHUTDOWN_TIMEOUT`])) ?? 10_000,
    connection: resolveConnection(options, timeoutMs),
    pricing: { prices: options.prices, pricesFile: pricesFile ? text(pricesFile) : undefined, priceFn: options.priceFn },
    database,
    tracesTable,
    llmTable,
    createSchema,
    ttlDays,
    cluster,
    timeoutMs,
  };
}

function resolveConnection(options: ClickHouseTraceExporterOptions, timeoutMs: number): ResolvedConnection {
  if (options.client) return { kind: 'client', client: options.client };
  const endpoint = pick(options.endpoint, 'endpoint', [`${PREFIX}ENDPOINT`, 'CLICKHOUSE_ENDPOINT', 'CLICKHOUSE_URL']);
  const username = pick(options.username, 'username', [`${PREFIX}USERNAME`, 'CLICKHOUSE_USERNAME', 'CLICKHOUSE_USER']);
  const password = pick(options.password, 'password', [`${PREFIX}PASSWORD`, 'CLICKHOUSE_PASSWORD']);
  if (endpoint === undefined || String(endpoint.value).trim() === '') {
    const path = pick(options.path, 'path', [`${PREFIX}PATH`]);
    // The credentials apply if `llm-traces serve` turns out to hold the store.
    const embedded = {
      kind: 'embedded' as const,
      path: path === undefined ? '.llm-traces' : text(path),
      username: username ? text(username) : 'default',
      timeoutMs,
    };
    return withHiddenPassword(embedded, password ? String(password.value) : '');
  }
  const { url, pathname, username: urlUser, password: urlPassword } = parseEndpoint(endpoint);
  const server = { kind: 'server' as const, url, pathname, username: username ? text(username) : urlUser || 'default', timeoutMs };
  return withHiddenPassword(server, password ? String(password.value) : urlPassword);
}

/** Not enumerable: printing or serializing the config (console.log(exporter)) never shows it. */
export function withHiddenPassword<T extends object>(connection: T, password: string): T & { password: string } {
  return Object.defineProperty(connection, 'password', { value: password, enumerable: false }) as T & { password: string };
}

/**
 * `http://h:p`, `https://h:p` (default port 8443), `h:p` and `h` (plain HTTP, default 8123).
 * Credentials in the URL are taken out so the URL can be logged.
 */
export function parseEndpoint(endpoint: Sourced<unknown>): { url: string; pathname: string; username: string; password: string } {
  const raw = text(endpoint).trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new ConfigError(
      `llm-traces: ${endpoint.source} is not a valid ClickHouse endpoint. Use http://host:8123, https://host:8443, host:port or host.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(
      `llm-traces: ${endpoint.source} uses the scheme '${parsed.protocol.slice(0, -1)}'; llm-traces talks to ClickHouse over HTTP: use http:// or https://.`,
    );
  }
  if (parsed.port === '') parsed.port = parsed.protocol === 'https:' ? DEFAULT_HTTPS_PORT : DEFAULT_HTTP_PORT;
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const pathname = parsed.pathname === '/' ? '' : parsed.pathname;
  return { url: `${parsed.protocol}//${parsed.host}`, pathname, username, password };
}

function text(value: Sourced<unknown>): string {
  if (typeof value.value !== 'string') {
    throw new ConfigError(`llm-traces: ${value.source} must be a string, got ${typeof value.value}.`);
  }
  return value.value;
}

function identifier(value: Sourced<unknown> | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  const name = text(value).trim();
  if (!IDENTIFIER.test(name)) {
    throw new ConfigError(
      `llm-traces: ${value.source} is '${name}', which is not a valid ClickHouse name; use letters, digits and underscores, starting with a letter or underscore.`,
    );
  }
  return name;
}

function positiveInteger(value: Sourced<unknown> | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value.value === 'number' ? value.value : Number(String(value.value).trim());
  if (!Number.isInteger(n) || n <= 0) {
    throw new ConfigError(`llm-traces: ${value.source} is '${String(value.value)}'; it must be a whole number greater than 0.`);
  }
  return n;
}

function boolean(value: Sourced<unknown> | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value.value === 'boolean') return value.value;
  const normalized = String(value.value).trim().toLowerCase();
  if (normalized === 'true' || normalized === '1') return true;
  if (normalized === 'false' || normalized === '0') return false;
  throw new ConfigError(`llm-traces: ${value.source} is '${String(value.value)}'; use true or false.`);
}

/** The configuration as it may be logged: no password, no client object. */
export function describeConfig(config: ResolvedConfig): string {
  const c = config.connection;
  const target =
    c.kind === 'server'
      ? `${c.url}${c.pathname} as ${c.username}`
      : c.kind === 'embedded'
        ? `embedded chDB at ${c.path}`
        : 'a provided client';
  return `${target}, database ${config.database}, tables ${config.tracesTable ?? '(none)'} and ${config.llmTable}`;
}
