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
import type { ChdbResult, RawInsertSummary } from 'chdb';
import type { ChdbConnection } from 'chdb/connection';
import { openChdb, type ChdbModule } from '../store/chdb.js';
import { outputFormat, sessionSetupSql, simpleInsert, statementText } from './engine-sql.js';
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

export class EmbeddedEngine {
  private constructor(
    private readonly chdb: ChdbModule,
    readonly path: string,
    readonly connection: ChdbConnection,
    readonly version: string,
    readonly timezone: string,
  ) {}

  static async open(path: string): Promise<EmbeddedEngine> {
    const {
      chdb,
      connection,
      path: dataPath,
    } = await openChdb(path, {
      who: 'llm-traces serve',
      ifMissing: 'Install it: npm install chdb',
      ifBusy: 'a process can open only one store.',
    });
    try {
      const info = await connection.chdb.queryAsync('SELECT version() AS version, timezone() AS timezone', {
        format: 'JSONEachRow',
      });
      const { version, timezone } = info.json<{ version: string; timezone: string }>();
      return new EmbeddedEngine(chdb, dataPath, connection, version, timezone);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /** Runs one request on a connection of its own; `body` is the raw (decompressed) request body. */
  async execute(request: QueryRequest, body: Buffer): Promise<EngineResult> {
    const session = new this.chdb.Session(this.path);
    try {
      await session.queryAsync(sessionSetupSql(request), { format: DEFAULT_FORMAT });
      const insert = body.length > 0 ? simpleInsert(request.query) : undefined;
      if (insert !== undefined) {
        const written = await session.insert({ ...insert, values: body });
        return { body: new Uint8Array(0), format: request.defaultFormat, summary: insertSummary(written) };
      }
      const statement = statementText(request.query, body);
      const result = await session.queryAsync(statement, { format: request.defaultFormat });
      return { body: result.bytes(), format: outputFormat(statement, request.defaultFormat), summary: querySummary(result) };
    } finally {
      session.close();
    }
  }

  /** Closes the long-lived connection and waits until chDB has released the data directory. */
  async close(): Promise<void> {
    await this.connection.close();
    await this.chdb.drainPending();
  }
}

function querySummary(result: ChdbResult): QuerySummary {
  return summary(result.rowsRead, result.bytesRead, false, result.elapsed);
}

function insertSummary(written: RawInsertSummary): QuerySummary {
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
