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
const RETRYABLE_CLICKHOUSE = new Map<number, string>([
  [3, 'network'], // UNEXPECTED_END_OF_FILE
  [159, 'timeout'], // TIMEOUT_EXCEEDED
  [202, 'overload'], // TOO_MANY_SIMULTANEOUS_QUERIES
  [203, 'overload'], // NO_FREE_CONNECTION
  [209, 'timeout'], // SOCKET_TIMEOUT
  [210, 'network'], // NETWORK_ERROR
  [241, 'overload'], // MEMORY_LIMIT_EXCEEDED
  [242, 'overload'], // TABLE_IS_READ_ONLY
  [252, 'overload'], // TOO_MANY_PARTS
  [285, 'overload'], // TOO_FEW_LIVE_REPLICAS
  [319, 'network'], // UNKNOWN_STATUS_OF_INSERT
  [394, 'overload'], // QUERY_WAS_CANCELLED
  [425, 'overload'], // SYSTEM_ERROR
  [439, 'overload'], // CANNOT_SCHEDULE_TASK
  [999, 'overload'], // KEEPER_EXCEPTION
]);

const PERMANENT_CLICKHOUSE = new Map<number, [reason: string, fix: string]>([
  [
    516,
    [
      'AUTHENTICATION_FAILED',
      'check OTEL_EXPORTER_CLICKHOUSE_USERNAME and OTEL_EXPORTER_CLICKHOUSE_PASSWORD (or the username/password options)',
    ],
  ],
  [194, ['REQUIRED_PASSWORD', 'set OTEL_EXPORTER_CLICKHOUSE_PASSWORD (or the password option)']],
  [497, ['ACCESS_DENIED', 'grant the exporter user INSERT on both tables (and CREATE/ALTER while createSchema is on)']],
  [164, ['READONLY', 'the user is read-only; use a user that may INSERT']],
  [60, ['UNKNOWN_TABLE', 'turn schema creation on (OTEL_EXPORTER_CLICKHOUSE_CREATE_SCHEMA=true) or apply ddl/*.sql']],
  [81, ['UNKNOWN_DATABASE', 'turn schema creation on (OTEL_EXPORTER_CLICKHOUSE_CREATE_SCHEMA=true) or create the database']],
  [
    16,
    [
      'NO_SUCH_COLUMN_IN_TABLE',
      'the table is older than this version of llm-traces: turn schema creation on once (it adds missing columns in place) or ALTER TABLE ... ADD COLUMN as in ddl/*.sql',
    ],
  ],
  [
    47,
    [
      'UNKNOWN_IDENTIFIER',
      'the table is older than this version of llm-traces: turn schema creation on once or add the columns from ddl/*.sql',
    ],
  ],
  [62, ['SYNTAX_ERROR', 'report this as an llm-traces bug']],
  [115, ['UNKNOWN_SETTING', 'the server does not know a setting llm-traces sends; it needs ClickHouse 21.11 or newer']],
]);

// ClickHouse's errors about the data itself: the same bytes would fail again, so the batch is split.
const DATA_ERRORS = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
]);

export function classifyFailure(error: unknown): FailureClass {
  const e = (error ?? {}) as { code?: unknown; type?: unknown; message?: unknown; cause?: { code?: unknown } };
  const networkCode = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  if (networkCode && NETWORK_CODES.has(networkCode)) return { retryable: true, reason: 'network' };
  // ClickHouse errors carry a numeric code (a string on ClickHouseError); chDB's are not
  // `instanceof ClickHouseError`, so only the shape is checked.
  const code = typeof e.code === 'string' && /^\d+$/.test(e.code) ? Number(e.code) : typeof e.code === 'number' ? e.code : undefined;
  if (code !== undefined) {
    const permanent = PERMANENT_CLICKHOUSE.get(code);
    if (permanent) return { retryable: false, reason: permanent[0], fix: permanent[1] };
    const retryable = RETRYABLE_CLICKHOUSE.get(code);
    if (retryable) return { retryable: true, reason: retryable };
    const name = typeof e.type === 'string' ? e.type : `CLICKHOUSE_${code}`;
    if (DATA_ERRORS.has(code))
      return { retryable: false, dataError: true, reason: name, fix: 'report this as an llm-traces bug, with the error message' };
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
