/**
 * The ClickHouse error codes this server raises itself, and the HTTP status a ClickHouse server
 * answers for an error code. Numbers are the engine's own (`errorCodeToName(n)` in chDB 26.7); the
 * status table is ClickHouse's `src/Server/HTTP/exceptionCodeToHTTPStatus.cpp`.
 */

export const ErrorCode = {
  BAD_ARGUMENTS: 36,
  NOT_IMPLEMENTED: 48,
  SYNTAX_ERROR: 62,
  TOO_MANY_SIMULTANEOUS_QUERIES: 202,
  QUERY_IS_TOO_LARGE: 229,
  ABORTED: 236,
  CANNOT_DECOMPRESS: 271,
  AUTHENTICATION_FAILED: 516,
  UNKNOWN_EXCEPTION: 1002,
} as const;

export type ErrorName = keyof typeof ErrorCode;

const BAD_REQUEST = new Set([
  36, // BAD_ARGUMENTS
  427, // CANNOT_COMPILE_REGEXP
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  72, // CANNOT_PARSE_NUMBER
  441, // CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING
  675, // CANNOT_PARSE_IPV4
  676, // CANNOT_PARSE_IPV6
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  376, // CANNOT_PARSE_UUID
  15, // DUPLICATE_COLUMN
  44, // ILLEGAL_COLUMN
  37, // UNKNOWN_ELEMENT_IN_AST
  123, // UNKNOWN_TYPE_OF_AST_NODE
  8, // THERE_IS_NO_COLUMN
  167, // TOO_DEEP_AST
  168, // TOO_BIG_AST
  223, // UNEXPECTED_AST_STRUCTURE
  62, // SYNTAX_ERROR
  117, // INCORRECT_DATA
  53, // TYPE_MISMATCH
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
]);

const NOT_FOUND = new Set([
  60, // UNKNOWN_TABLE
  46, // UNKNOWN_FUNCTION
  47, // UNKNOWN_IDENTIFIER
  50, // UNKNOWN_TYPE
  56, // UNKNOWN_STORAGE
  81, // UNKNOWN_DATABASE
  115, // UNKNOWN_SETTING
  152, // UNKNOWN_DIRECTION_OF_SORTING
  63, // UNKNOWN_AGGREGATE_FUNCTION
  73, // UNKNOWN_FORMAT
  336, // UNKNOWN_DATABASE_ENGINE
  78, // UNKNOWN_TYPE_OF_QUERY
  511, // UNKNOWN_ROLE
]);

const FORBIDDEN = new Set([
  192, // UNKNOWN_USER
  193, // WRONG_PASSWORD
  516, // AUTHENTICATION_FAILED
  512, // SET_NON_GRANTED_ROLE
  497, // ACCESS_DENIED
]);

const SINGLE: ReadonlyMap<number, number> = new Map([
  [194, 401], // REQUIRED_PASSWORD
  [229, 413], // QUERY_IS_TOO_LARGE
  [48, 501], // NOT_IMPLEMENTED
  [209, 503], // SOCKET_TIMEOUT
  [76, 503], // CANNOT_OPEN_FILE
  [381, 411], // HTTP_LENGTH_REQUIRED
  [159, 408], // TIMEOUT_EXCEEDED
  [439, 503], // CANNOT_SCHEDULE_TASK
  [779, 415], // UNSUPPORTED_MEDIA_TYPE
]);

/** The HTTP status a ClickHouse server sends with an exception of this code (500 for the rest). */
export function httpStatusForErrorCode(code: number): number {
  if (BAD_REQUEST.has(code)) return 400;
  if (NOT_FOUND.has(code)) return 404;
  if (FORBIDDEN.has(code)) return 403;
  return SINGLE.get(code) ?? 500;
}
