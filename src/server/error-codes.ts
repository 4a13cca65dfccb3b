/**
 * The HTTP status a ClickHouse server answers for an error code (ClickHouse's
 * `src/Server/HTTP/exceptionCodeToHTTPStatus.cpp`); the codes are the shared table's.
 */
import { ClickHouseErrorCode as CH } from '../store/clickhouse-errors.js';

export { ClickHouseErrorCode as ErrorCode, type ClickHouseErrorName as ErrorName } from '../store/clickhouse-errors.js';

const BAD_REQUEST: ReadonlySet<number> = new Set([
  CH.BAD_ARGUMENTS,
  CH.CANNOT_COMPILE_REGEXP,
  CH.CANNOT_PARSE_TEXT,
  CH.CANNOT_PARSE_ESCAPE_SEQUENCE,
  CH.CANNOT_PARSE_QUOTED_STRING,
  CH.CANNOT_PARSE_DATE,
  CH.CANNOT_PARSE_DATETIME,
  CH.CANNOT_PARSE_NUMBER,
  CH.CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING,
  CH.CANNOT_PARSE_IPV4,
  CH.CANNOT_PARSE_IPV6,
  CH.CANNOT_PARSE_INPUT_ASSERTION_FAILED,
  CH.CANNOT_PARSE_UUID,
  CH.DUPLICATE_COLUMN,
  CH.ILLEGAL_COLUMN,
  CH.UNKNOWN_ELEMENT_IN_AST,
  CH.UNKNOWN_TYPE_OF_AST_NODE,
  CH.THERE_IS_NO_COLUMN,
  CH.TOO_DEEP_AST,
  CH.TOO_BIG_AST,
  CH.UNEXPECTED_AST_STRUCTURE,
  CH.SYNTAX_ERROR,
  CH.INCORRECT_DATA,
  CH.TYPE_MISMATCH,
  CH.VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE,
]);

const NOT_FOUND: ReadonlySet<number> = new Set([
  CH.UNKNOWN_TABLE,
  CH.UNKNOWN_FUNCTION,
  CH.UNKNOWN_IDENTIFIER,
  CH.UNKNOWN_TYPE,
  CH.UNKNOWN_STORAGE,
  CH.UNKNOWN_DATABASE,
  CH.UNKNOWN_SETTING,
  CH.UNKNOWN_DIRECTION_OF_SORTING,
  CH.UNKNOWN_AGGREGATE_FUNCTION,
  CH.UNKNOWN_FORMAT,
  CH.UNKNOWN_DATABASE_ENGINE,
  CH.UNKNOWN_TYPE_OF_QUERY,
  CH.UNKNOWN_ROLE,
]);

const FORBIDDEN: ReadonlySet<number> = new Set([
  CH.UNKNOWN_USER,
  CH.WRONG_PASSWORD,
  CH.AUTHENTICATION_FAILED,
  CH.SET_NON_GRANTED_ROLE,
  CH.ACCESS_DENIED,
]);

const SINGLE: ReadonlyMap<number, number> = new Map([
  [CH.REQUIRED_PASSWORD, 401],
  [CH.QUERY_IS_TOO_LARGE, 413],
  [CH.NOT_IMPLEMENTED, 501],
  [CH.SOCKET_TIMEOUT, 503],
  [CH.CANNOT_OPEN_FILE, 503],
  [CH.HTTP_LENGTH_REQUIRED, 411],
  [CH.TIMEOUT_EXCEEDED, 408],
  [CH.CANNOT_SCHEDULE_TASK, 503],
  [CH.UNSUPPORTED_MEDIA_TYPE, 415],
]);

/** The HTTP status a ClickHouse server sends with an exception of this code (500 for the rest). */
export function httpStatusForErrorCode(code: number): number {
  if (BAD_REQUEST.has(code)) return 400;
  if (NOT_FOUND.has(code)) return 404;
  if (FORBIDDEN.has(code)) return 403;
  return SINGLE.get(code) ?? 500;
}
