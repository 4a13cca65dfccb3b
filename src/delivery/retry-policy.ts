import { EmbeddedStoreError } from '../store/chdb.js';
import { ClickHouseErrorCode as CH, errorCodeOf, errorNameOf } from '../store/clickhouse-errors.js';
import type { DropReason } from './counters.js';

/**
 * Which insert failures are worth retrying. Permanent ones (credentials, missing tables or
 * columns, bad SQL, access) will fail the same way every time, so they are reported once with the
 * cause and the fix and the batch is dropped. Everything else (network, timeouts, overload,
 * unknown) is retried with backoff within the retry budget.
 */
export interface FailureClass {
  retryable: boolean;
  /** The request's data was refused: splitting the batch isolates the rows at fault. */
  dataError?: boolean;
  /** Short, stable name for counters and logs: `network`, `timeout`, `overload`, `UNKNOWN_TABLE`, ... */
  reason: string;
  /** What to do about a permanent failure. */
  fix?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

// ClickHouse error codes that mean "try again later" (overload, replicas, timeouts, lost connection).
const RETRYABLE_CLICKHOUSE: ReadonlyMap<number, string> = new Map([
  [CH.UNEXPECTED_END_OF_FILE, 'network'],
  [CH.TIMEOUT_EXCEEDED, 'timeout'],
  [CH.TOO_MANY_SIMULTANEOUS_QUERIES, 'overload'],
  [CH.NO_FREE_CONNECTION, 'overload'],
  [CH.SOCKET_TIMEOUT, 'timeout'],
  [CH.NETWORK_ERROR, 'network'],
  [CH.MEMORY_LIMIT_EXCEEDED, 'overload'],
  [CH.TABLE_IS_READ_ONLY, 'overload'],
  [CH.TOO_MANY_PARTS, 'overload'],
  [CH.TOO_FEW_LIVE_REPLICAS, 'overload'],
  [CH.UNKNOWN_STATUS_OF_INSERT, 'network'],
  [CH.QUERY_WAS_CANCELLED, 'overload'],
  [CH.SYSTEM_ERROR, 'overload'],
  [CH.CANNOT_SCHEDULE_TASK, 'overload'],
  [CH.KEEPER_EXCEPTION, 'overload'],
]);

// Failures that will not pass by themselves, with what to do about them.
const PERMANENT_CLICKHOUSE: ReadonlyMap<number, string> = new Map([
  [
    CH.AUTHENTICATION_FAILED,
    'check OTEL_EXPORTER_CLICKHOUSE_USERNAME and OTEL_EXPORTER_CLICKHOUSE_PASSWORD (or the username/password options)',
  ],
  [CH.REQUIRED_PASSWORD, 'set OTEL_EXPORTER_CLICKHOUSE_PASSWORD (or the password option)'],
  [CH.ACCESS_DENIED, 'grant the exporter user INSERT on both tables (and CREATE/ALTER while createSchema is on)'],
  [CH.READONLY, 'the user is read-only; use a user that may INSERT'],
  [CH.UNKNOWN_TABLE, 'turn schema creation on (OTEL_EXPORTER_CLICKHOUSE_CREATE_SCHEMA=true) or apply ddl/*.sql'],
  [CH.UNKNOWN_DATABASE, 'turn schema creation on (OTEL_EXPORTER_CLICKHOUSE_CREATE_SCHEMA=true) or create the database'],
  [
    CH.NO_SUCH_COLUMN_IN_TABLE,
    'the table is older than this version of llm-traces: turn schema creation on once (it adds missing columns in place) or ALTER TABLE ... ADD COLUMN as in ddl/*.sql',
  ],
  [
    CH.UNKNOWN_IDENTIFIER,
    'the table is older than this version of llm-traces: turn schema creation on once or add the columns from ddl/*.sql',
  ],
  [CH.SYNTAX_ERROR, 'report this as an llm-traces bug'],
  [CH.UNKNOWN_SETTING, 'the server does not know a setting llm-traces sends; it needs ClickHouse 21.11 or newer'],
]);

// ClickHouse's errors about the data itself: the same bytes would fail again, so the batch is split.
const DATA_ERRORS: ReadonlySet<number> = new Set([
  CH.CANNOT_PARSE_TEXT,
  CH.CANNOT_PARSE_ESCAPE_SEQUENCE,
  CH.CANNOT_PARSE_QUOTED_STRING,
  CH.CANNOT_PARSE_INPUT_ASSERTION_FAILED,
  CH.CANNOT_READ_ALL_DATA,
  CH.CANNOT_PARSE_DATE,
  CH.CANNOT_PARSE_DATETIME,
  CH.TYPE_MISMATCH,
  CH.ARGUMENT_OUT_OF_BOUND,
  CH.CANNOT_CONVERT_TYPE,
  CH.CANNOT_PARSE_NUMBER,
  CH.INCORRECT_DATA,
  CH.TOO_LARGE_STRING_SIZE,
  CH.VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE,
  CH.CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN,
  // A CHECK constraint of the table (one added to the schema) refuses these rows.
  CH.VIOLATED_CONSTRAINT,
]);

export function classifyFailure(error: unknown): FailureClass {
  // Its message says what to do; a missing package takes a restart, a store another process holds may be let go.
  if (error instanceof EmbeddedStoreError) return { retryable: error.retryable, reason: error.reason, fix: 'then restart the app' };
  const e = (error ?? {}) as { code?: unknown; type?: unknown; message?: unknown; cause?: { code?: unknown } };
  const networkCode = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  if (networkCode && NETWORK_CODES.has(networkCode)) return { retryable: true, reason: 'network' };
  // The engine's own code, as either client carries it (errorCodeOf): chDB's errors are not
  // `instanceof ClickHouseError`, so only the shape is checked.
  const code = errorCodeOf(error);
  if (code !== undefined) {
    const name = typeof e.type === 'string' ? e.type : (errorNameOf(code) ?? `CLICKHOUSE_${code}`);
    const fix = PERMANENT_CLICKHOUSE.get(code);
    if (fix) return { retryable: false, reason: errorNameOf(code)!, fix };
    const retryable = RETRYABLE_CLICKHOUSE.get(code);
    if (retryable) return { retryable: true, reason: retryable };
    if (DATA_ERRORS.has(code)) {
      const fix =
        code === CH.VIOLATED_CONSTRAINT
          ? 'a CHECK constraint of the table refuses these rows; drop or change the constraint to store them'
          : 'report this as an llm-traces bug, with the error message';
      return { retryable: false, dataError: true, reason: name, fix };
    }
    // Anything else (a server shutting down, a full disk, an unknown exception) may pass: retry.
    return { retryable: true, reason: name };
  }
  const message = typeof e.message === 'string' ? e.message : '';
  if (/timeout/i.test(message)) return { retryable: true, reason: 'timeout' };
  if (/socket hang up|ECONNRESET|ECONNREFUSED|network/i.test(message)) return { retryable: true, reason: 'network' };
  return { retryable: true, reason: 'unknown' };
}

/** Exponential backoff with full jitter: a random delay up to min(cap, base * 2^attempt). */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 200, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}

/** Why a batch was not stored. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly reason: DropReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
