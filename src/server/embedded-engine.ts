/**
 * The embedded ClickHouse (chDB) behind the HTTP server.
 *
 * chDB facts this relies on (chdb 3.4, libchdb 26.7):
 * - One engine per process, bound to one data directory; any number of connections may be open on
 *   that same directory at once, and they all see the same data.
 * - Each connection (a chDB `Session`) has its own session state: `SET` and `USE` last until it is
 *   closed. Queries on one connection are serialized by a native mutex, each holding a libuv worker
 *   while it waits; queries on different connections run in parallel.
 * So every request runs on a short-lived connection of its own: settings, query parameters and the
 * database cannot leak into other requests, and requests run concurrently. A long-lived connection
 * (`connection`) keeps the engine up between requests, answers for the server's version and time
 * zone, and is what an in-process `@clickhouse/client` can share.
 */
import type { ChdbResult, RawInsertSummary, StreamInsertFormat } from 'chdb';
import type { ChdbConnection } from 'chdb/connection';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { openChdb, type ChdbModule } from '../store/chdb.js';
import {
  enforcementSql,
  outputFormat,
  queryParametersSql,
  requestSettingsSql,
  sessionSetupSql,
  simpleInsert,
  statementText,
} from './engine-sql.js';
import { ClickHouseServerError } from './server-error.js';
import { StatementGuard, type GuardSession, type Principal, type StatementKind, type TenantTables } from './statement-guard.js';
import { DEFAULT_FORMAT, type QueryRequest } from './query-request.js';

/** The `X-ClickHouse-Summary` header's fields; ClickHouse sends the numbers as strings. */
export interface QuerySummary {
  read_rows: string;
  read_bytes: string;
  written_rows: string;
  written_bytes: string;
  total_rows_to_read: string;
  result_rows: string;
  result_bytes: string;
  elapsed_ns: string;
}

export interface EngineResult {
  body: Uint8Array;
  /** The format the body is written in. */
  format: string;
  summary: QuerySummary;
}

/** Limits every statement runs under; a request may lower them, never raise them. */
export interface QueryLimits {
  maxExecutionSeconds: number;
  maxMemoryBytes: number;
  maxResultBytes: number;
}

export interface EngineOptions {
  allowWrites: boolean;
  tenantTables: TenantTables;
  limits: QueryLimits;
}

export interface ExecuteContext {
  principal: Principal;
  /** Aborted when the client goes away: the running statement is killed. */
  signal: AbortSignal;
}

/** How often, and how many times, a cancelled statement is looked for until it is gone. */
const KILL_RETRY_MS = 50;

/**
 * A body larger than this, in a format where a newline always ends a row, is inserted in pieces
 * of about this size: parsing one 200 MB piece took the engine 1.5 GB, 16 MiB pieces 95 MB. Like a
 * ClickHouse server's insert of more than one block, pieces already written stay if a later one
 * fails. The exporter's inserts are far smaller and go in one piece.
 */
const INSERT_PIECE_BYTES = 16 * 1024 * 1024;
const PIECEWISE_FORMATS: ReadonlySet<string> = new Set<StreamInsertFormat>(['JSONEachRow', 'JSONCompactEachRow', 'TSV', 'TabSeparated']);

const KILL_ATTEMPTS = 40;

export class EmbeddedEngine {
  private constructor(
    private readonly chdb: ChdbModule,
    readonly path: string,
    readonly connection: ChdbConnection,
    readonly version: string,
    readonly timezone: string,
    readonly guard: StatementGuard,
    private readonly limits: Readonly<Record<string, number>>,
  ) {}

  static async open(path: string, options: EngineOptions): Promise<EmbeddedEngine> {
    const {
      chdb,
      connection,
      path: dataPath,
    } = await openChdb(path, {
      who: 'llm-traces serve',
      ifMissing: 'Install it: npm install chdb',
      ifBusy: () => 'stop it first, or read and write through it if it is an `llm-traces serve` already.',
    });
    const limits = {
      max_execution_time: options.limits.maxExecutionSeconds,
      max_memory_usage: options.limits.maxMemoryBytes,
      max_result_bytes: options.limits.maxResultBytes,
    };
    try {
      const info = await connection.chdb.queryAsync('SELECT version() AS version, timezone() AS timezone', {
        format: 'JSONEachRow',
      });
      const { version, timezone } = info.json<{ version: string; timezone: string }>();
      // The in-process readers (JSON API, viewer) share this session: the same limits hold for them.
      await connection.chdb.queryAsync(
        `SET max_execution_time = ${limits.max_execution_time}, max_memory_usage = ${limits.max_memory_usage}`,
      );
      const setup = new chdb.Session(dataPath);
      const guard = await StatementGuard.create(sessionRows(setup), {
        allowWrites: options.allowWrites,
        tenantTables: options.tenantTables,
        limits,
      }).finally(() => setup.close());
      return new EmbeddedEngine(chdb, dataPath, connection, version, timezone, guard, limits);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /**
   * Runs one request on a connection of its own; `body` is the raw (decompressed) request body.
   * The statement guard reads the statement first, then the request's settings and the server's
   * limits and guards are applied, and only then does the statement run.
   */
  async execute(request: QueryRequest, body: Buffer, { principal, signal }: ExecuteContext): Promise<EngineResult> {
    const settings = this.guard.requestSettings(request.settings);
    const lowered = settings.filter(([name]) => name in this.limits);
    const session = new this.chdb.Session(this.path);
    try {
      const setup = sessionSetupSql(request);
      if (setup !== '') await session.queryAsync(setup, { format: DEFAULT_FORMAT });
      const parameters = queryParametersSql(request);
      const context = { principal, database: request.database ?? 'default', queryParams: request.queryParams };
      const insert = body.length > 0 ? simpleInsert(request.query) : undefined;
      const statement = insert === undefined ? statementText(request.query, body) : undefined;
      let kind: StatementKind = 'insert';
      if (insert !== undefined) this.guard.checkInsertTarget(insert.table, context);
      else kind = (await this.guard.check(statement!, sessionRows(session, parameters), context)).kind;
      if (request.readonly && kind !== 'read') {
        throw new ClickHouseServerError(
          'READONLY',
          'Cannot execute query in readonly mode. For queries over HTTP, method GET implies readonly. You should use method POST for modifying queries',
        );
      }
      const marker = `llm-traces:${randomUUID()}`;
      const enforcement = enforcementSql({
        kind,
        settings: { ...this.limits, ...Object.fromEntries(lowered), log_comment: marker },
        tableFilters: this.guard.tableFilters(principal),
      });
      await session.queryAsync(requestSettingsSql(settings.filter(([name]) => !(name in this.limits))), { format: DEFAULT_FORMAT });
      for (const sql of enforcement) await session.queryAsync(sql, { format: DEFAULT_FORMAT });
      if (signal.aborted) throw new ClickHouseServerError('QUERY_WAS_CANCELLED', 'The client closed the connection');
      return await this.killedOnAbort(signal, marker, async () => {
        if (insert !== undefined) {
          const written =
            body.length > INSERT_PIECE_BYTES && PIECEWISE_FORMATS.has(insert.format)
              ? await session.insert({
                  ...insert,
                  format: insert.format as StreamInsertFormat,
                  values: Readable.from([body]),
                  maxChunkBytes: INSERT_PIECE_BYTES,
                })
              : await session.insert({ ...insert, values: body });
          return { body: new Uint8Array(0), format: request.defaultFormat, summary: insertSummary(written) };
        }
        const result = await session.queryAsync(statement!, { format: request.defaultFormat });
        return { body: result.bytes(), format: outputFormat(statement!, request.defaultFormat), summary: querySummary(result) };
      });
    } finally {
      session.close();
    }
  }

  /**
   * chDB cannot interrupt a running call, but the engine's KILL QUERY can, from another session:
   * the statement is found by its marker (log_comment), looked for again until the call settles.
   */
  private async killedOnAbort<T>(signal: AbortSignal, marker: string, run: () => Promise<T>): Promise<T> {
    let settled = false;
    const kill = async () => {
      for (let attempt = 0; attempt < KILL_ATTEMPTS && !settled; attempt++) {
        const killer = new this.chdb.Session(this.path);
        try {
          await killer.queryBindAsync(
            "KILL QUERY WHERE Settings['log_comment'] = {marker:String} ASYNC",
            { marker },
            { format: DEFAULT_FORMAT },
          );
        } catch {
          // Nothing to kill yet, or the engine is closing: the next attempt or the call's end decides.
        } finally {
          killer.close();
        }
        await new Promise((resolve) => setTimeout(resolve, KILL_RETRY_MS));
      }
    };
    const onAbort = () => void kill();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await run();
    } finally {
      settled = true;
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the long-lived connection and waits until chDB has released the data directory. */
  async close(): Promise<void> {
    await this.connection.close();
    await this.chdb.drainPending();
  }
}

/**
 * The guard's view of a session: result rows as arrays of JSON values. chDB's binding of a query's
 * own parameters clears those the session has SET, so the request's are set again after it.
 */
function sessionRows(session: InstanceType<ChdbModule['Session']>, parameters = ''): GuardSession {
  return {
    async rows(query, params) {
      const options = { format: 'JSONCompactEachRow' };
      const result = params === undefined ? await session.queryAsync(query, options) : await session.queryBindAsync(query, params, options);
      if (params !== undefined && parameters !== '') await session.queryAsync(parameters, { format: DEFAULT_FORMAT });
      return result
        .text()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as unknown[]);
    },
  };
}

function querySummary(result: ChdbResult): QuerySummary {
  return summary(result.rowsRead, result.bytesRead, false, result.elapsed);
}

function insertSummary(written: Pick<RawInsertSummary, 'rowsWritten' | 'bytesWritten' | 'elapsed'>): QuerySummary {
  return summary(written.rowsWritten, written.bytesWritten, true, written.elapsed);
}

/** chDB reports one count of rows (and bytes) per statement: the result's, or the insert's. */
function summary(rows: number, bytes: number, written: boolean, elapsedSeconds: number): QuerySummary {
  return {
    read_rows: String(rows),
    read_bytes: String(bytes),
    written_rows: written ? String(rows) : '0',
    written_bytes: written ? String(bytes) : '0',
    total_rows_to_read: '0',
    result_rows: String(rows),
    result_bytes: String(bytes),
    elapsed_ns: String(Math.round(elapsedSeconds * 1e9)),
  };
}
