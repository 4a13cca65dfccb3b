/**
 * One `@clickhouse/client` code path for both modes: a ClickHouse server over HTTP(S), or embedded
 * ClickHouse (chDB) plugged in as the client's connection. Nothing else knows which mode it is in.
 */
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient, type ClickHouseSettings, type Logger, type LogParams } from '@clickhouse/client';
import { diag } from '@opentelemetry/api';
import { resolveConfig, withHiddenPassword, type ClickHouseTraceExporterOptions, type ResolvedConnection } from '../config/config.js';
import { qualifiedName } from '../schema/ddl.js';
import { openChdb } from './chdb.js';
import { servingProcess } from './serve-address.js';

export interface InsertTarget {
  /** Validated identifiers (config). */
  database: string;
  table: string;
  /** Column names from ddl/ (`Parent.child` for Nested sub-columns), in the order of each row's values. */
  columns: readonly string[];
}

export interface OpenedClient {
  client: ClickHouseClient;
  /** Inserts JSONCompactEachRow bytes into `target`; resolves once they are stored. */
  insertRows(target: InsertTarget, body: Buffer, signal: AbortSignal): Promise<void>;
  /** Closes the client if this package created it; a user-provided client is left open. */
  close(): Promise<void>;
}

const clientLog = diag.createComponentLogger({ namespace: 'llm-traces/clickhouse-client' });
const log = diag.createComponentLogger({ namespace: 'llm-traces' });

/** Stores already announced as served by `llm-traces serve`: said once per process. */
const announced = new Set<string>();

/**
 * The connection to use for `connection`: an embedded store that a live `llm-traces serve` holds is
 * reached through that server (with the configured credentials), and `notice` says so once.
 */
export function effectiveConnection(
  connection: ResolvedConnection,
  notice: (message: string) => void = (message) => log.warn(message),
): ResolvedConnection {
  if (connection.kind !== 'embedded') return connection;
  const path = resolve(connection.path);
  const served = servingProcess(path);
  if (!served) return connection;
  if (!announced.has(`${path} ${served.url}`)) {
    announced.add(`${path} ${served.url}`);
    notice(`the store at ${path} is held by \`llm-traces serve\` (pid ${served.pid}); using it at ${served.url}`);
  }
  const server = {
    kind: 'server' as const,
    url: served.url,
    pathname: '',
    username: connection.username ?? 'default',
    timeoutMs: connection.timeoutMs ?? 10_000,
  };
  return withHiddenPassword(server, connection.password ?? '');
}

/**
 * The client's own log goes to `diag`, never to the host app's console. Its errors repeat what
 * the delivery queue reports with more context, so they are debug lines here.
 */
class DiagLogger implements Logger {
  trace({ module, message }: LogParams): void {
    clientLog.verbose(`${module}: ${message}`);
  }
  debug({ module, message }: LogParams): void {
    clientLog.verbose(`${module}: ${message}`);
  }
  info({ module, message }: LogParams): void {
    clientLog.debug(`${module}: ${message}`);
  }
  warn({ module, message }: LogParams): void {
    clientLog.debug(`${module}: ${message}`);
  }
  error({ module, message }: LogParams): void {
    clientLog.debug(`${module}: ${message}`);
  }
}

/**
 * A server batches small inserts from many processes into few parts (async_insert), and the insert
 * waits for that flush, so a resolved export means the rows are stored. Payload documents are
 * written as JSON objects for String columns (delivery/serialize.ts): the setting that reads them
 * as their text is the default, and said here so a server profile that turns it off cannot make
 * every LLM row a parse error.
 */
const SERVER_INSERT_SETTINGS: ClickHouseSettings = {
  async_insert: 1,
  wait_for_async_insert: 1,
  input_format_json_read_objects_as_strings: 1,
};

/** Pre-serialized bytes as the body of an INSERT ... FORMAT statement. */
function execInsert(client: ClickHouseClient) {
  return async ({ database, table, columns }: InsertTarget, body: Buffer, signal: AbortSignal): Promise<void> => {
    const result = await client.exec({
      query: `INSERT INTO ${qualifiedName(database, table)} (${columns.join(', ')}) FORMAT JSONCompactEachRow`,
      values: Readable.from([body], { objectMode: false }),
      clickhouse_settings: SERVER_INSERT_SETTINGS,
      abort_signal: signal,
    });
    // The response of an INSERT is empty, but it must be read for the socket to be reused.
    for await (const _ of result.stream) void _;
  };
}

/** What to do when another process holds an embedded store. */
function busyStoreFix(path: string): string {
  return `stop it; to share the store between processes, start \`llm-traces serve --path ${path}\` while none has it open: the exporter and the CLI configured for this store then find the server and use it.`;
}

export async function openClient(configured: ResolvedConnection, application = 'llm-traces'): Promise<OpenedClient> {
  const connection = effectiveConnection(configured);
  if (connection.kind === 'client') {
    return { client: connection.client, insertRows: execInsert(connection.client), close: async () => {} };
  }
  if (connection.kind === 'server') {
    const client = createClient({
      url: connection.url,
      ...(connection.pathname ? { pathname: connection.pathname } : {}),
      username: connection.username,
      password: connection.password,
      request_timeout: connection.timeoutMs,
      application,
      // Level 1: about 4x less CPU than the default level 6 on span batches, for 12x instead of 17x.
      compression: { request: { codec: 'gzip', level: 1 }, response: true },
      log: { LoggerClass: DiagLogger },
    });
    return { client, insertRows: execInsert(client), close: () => client.close() };
  }
  const { connection: chdbConnection } = await openChdb(connection.path, {
    who: 'llm-traces',
    ifMissing:
      'No ClickHouse endpoint is configured, so it uses embedded ClickHouse: install it (npm install chdb) or set OTEL_EXPORTER_CLICKHOUSE_ENDPOINT to a ClickHouse server (e.g. http://localhost:8123).',
    ifBusy: busyStoreFix,
  });
  const client = createClient({ connection: chdbConnection as never, application, log: { LoggerClass: DiagLogger } });
  return {
    client,
    // In process there is one writer that already batches: a plain insert, and chDB's raw insert
    // hands the body to the engine without the string copies of the client's exec path.
    // Its table argument takes plain `db.table` only; the names are validated identifiers (config).
    insertRows: async ({ database, table, columns }, body, signal) => {
      await chdbConnection.chdb.rawInsert({ table: `${database}.${table}`, columns, values: body, format: 'JSONCompactEachRow', signal });
    },
    close: async () => {
      await client.close();
      await chdbConnection.close();
    },
  };
}

/**
 * The store the exporter writes to, found the same way (options, then OTEL_EXPORTER_CLICKHOUSE_*,
 * then the embedded store at .llm-traces, or the `llm-traces serve` holding it): the readers' client.
 */
export function openStore(options: ClickHouseTraceExporterOptions = {}): Promise<OpenedClient> {
  return openClient(resolveConfig(options).connection, 'llm-traces-reader');
}
