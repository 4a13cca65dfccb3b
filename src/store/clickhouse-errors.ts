/**
 * ClickHouse error codes by name, as the engine numbers them (`errorCodeToName(n)` in chDB 26.7;
 * ClickHouse's src/Common/ErrorCodes.cpp): the ones this package classifies, raises or explains.
 * The client's `ClickHouseError` carries the code as a string in `code`; chDB's own errors (its
 * raw insert's `ChdbInsertError`, `code: 'CHDB_INSERT'`) carry it as a number in `clickhouseCode`:
 * use `errorCodeOf` rather than `instanceof`.
 */
export const ClickHouseErrorCode = {
  UNEXPECTED_END_OF_FILE: 3,
  CANNOT_PARSE_TEXT: 6,
  THERE_IS_NO_COLUMN: 8,
  DUPLICATE_COLUMN: 15,
  NO_SUCH_COLUMN_IN_TABLE: 16,
  CANNOT_PARSE_ESCAPE_SEQUENCE: 25,
  CANNOT_PARSE_QUOTED_STRING: 26,
  CANNOT_PARSE_INPUT_ASSERTION_FAILED: 27,
  CANNOT_READ_ALL_DATA: 33,
  BAD_ARGUMENTS: 36,
  UNKNOWN_ELEMENT_IN_AST: 37,
  CANNOT_PARSE_DATE: 38,
  CANNOT_PARSE_DATETIME: 41,
  ILLEGAL_COLUMN: 44,
  UNKNOWN_FUNCTION: 46,
  UNKNOWN_IDENTIFIER: 47,
  NOT_IMPLEMENTED: 48,
  UNKNOWN_TYPE: 50,
  TYPE_MISMATCH: 53,
  UNKNOWN_STORAGE: 56,
  UNKNOWN_TABLE: 60,
  SYNTAX_ERROR: 62,
  UNKNOWN_AGGREGATE_FUNCTION: 63,
  ARGUMENT_OUT_OF_BOUND: 69,
  CANNOT_CONVERT_TYPE: 70,
  CANNOT_PARSE_NUMBER: 72,
  UNKNOWN_FORMAT: 73,
  CANNOT_OPEN_FILE: 76,
  UNKNOWN_TYPE_OF_QUERY: 78,
  UNKNOWN_DATABASE: 81,
  UNKNOWN_SETTING: 115,
  INCORRECT_DATA: 117,
  UNKNOWN_TYPE_OF_AST_NODE: 123,
  TOO_LARGE_STRING_SIZE: 131,
  UNKNOWN_DIRECTION_OF_SORTING: 152,
  TIMEOUT_EXCEEDED: 159,
  READONLY: 164,
  TOO_DEEP_AST: 167,
  TOO_BIG_AST: 168,
  UNKNOWN_USER: 192,
  WRONG_PASSWORD: 193,
  REQUIRED_PASSWORD: 194,
  TOO_MANY_SIMULTANEOUS_QUERIES: 202,
  NO_FREE_CONNECTION: 203,
  SOCKET_TIMEOUT: 209,
  NETWORK_ERROR: 210,
  UNEXPECTED_AST_STRUCTURE: 223,
  QUERY_IS_TOO_LARGE: 229,
  ABORTED: 236,
  MEMORY_LIMIT_EXCEEDED: 241,
  TABLE_IS_READ_ONLY: 242,
  TOO_MANY_PARTS: 252,
  CANNOT_DECOMPRESS: 271,
  TOO_FEW_LIVE_REPLICAS: 285,
  UNKNOWN_STATUS_OF_INSERT: 319,
  VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE: 321,
  UNKNOWN_DATABASE_ENGINE: 336,
  SUPPORT_IS_DISABLED: 344,
  CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN: 349,
  INTO_OUTFILE_NOT_ALLOWED: 358,
  CANNOT_PARSE_UUID: 376,
  HTTP_LENGTH_REQUIRED: 381,
  QUERY_WAS_CANCELLED: 394,
  SYSTEM_ERROR: 425,
  CANNOT_COMPILE_REGEXP: 427,
  CANNOT_SCHEDULE_TASK: 439,
  VIOLATED_CONSTRAINT: 469,
  CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING: 441,
  ACCESS_DENIED: 497,
  UNKNOWN_ROLE: 511,
  SET_NON_GRANTED_ROLE: 512,
  AUTHENTICATION_FAILED: 516,
  CANNOT_PARSE_IPV4: 675,
  CANNOT_PARSE_IPV6: 676,
  UNSUPPORTED_MEDIA_TYPE: 779,
  KEEPER_EXCEPTION: 999,
  UNKNOWN_EXCEPTION: 1002,
} as const;

export type ClickHouseErrorName = keyof typeof ClickHouseErrorCode;

const NAMES = new Map<number, ClickHouseErrorName>(
  Object.entries(ClickHouseErrorCode).map(([name, code]) => [code, name as ClickHouseErrorName]),
);

/**
 * The numeric ClickHouse error code of an error of either client (or of its `cause`, when a layer
 * wrapped it), or undefined when it has none.
 */
export function errorCodeOf(error: unknown): number | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, clickhouseCode } = e as { code?: unknown; clickhouseCode?: unknown };
    if (typeof clickhouseCode === 'number') return clickhouseCode;
    if (typeof code === 'number') return code;
    if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  }
  return undefined;
}

/** The name of a code in this table. */
export function errorNameOf(code: number): ClickHouseErrorName | undefined {
  return NAMES.get(code);
}
