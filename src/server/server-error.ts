/**
 * Errors as a ClickHouse server reports them over HTTP: the status from the error code, the
 * `X-ClickHouse-Exception-Code` header and a body `Code: N. DB::Exception: <message>. (TYPE) (version V)`,
 * which `@clickhouse/client` parses into a `ClickHouseError` with `code` and `type`.
 */
import { ErrorCode, httpStatusForErrorCode, type ErrorName } from './error-codes.js';

/** An error this server raises itself, with the ClickHouse code and type name a client sees. */
export class ClickHouseServerError extends Error {
  readonly code: number;
  readonly type: ErrorName;

  constructor(type: ErrorName, message: string) {
    super(message);
    this.name = 'ClickHouseServerError';
    this.type = type;
    this.code = ErrorCode[type];
  }
}

export interface ExceptionResponse {
  status: number;
  code: number;
  body: string;
}

const ENGINE_MESSAGE = /^Code: (\d+)\. DB::Exception: /;
const VERSION_SUFFIX = /\(version [^()]*(\([^()]*\))?\)\s*$/;

/**
 * Turns anything thrown while serving a request into the response a ClickHouse server would send.
 * Engine errors already carry ClickHouse's text; only the version suffix the HTTP server appends
 * is added. Anything else (a bug, a chDB binding error without a code) becomes UNKNOWN_EXCEPTION.
 */
export function exceptionResponse(error: unknown, version: string): ExceptionResponse {
  if (error instanceof ClickHouseServerError) {
    const text = `Code: ${error.code}. DB::Exception: ${withPeriod(error.message)} (${error.type})`;
    return response(error.code, text, version);
  }
  const message = error instanceof Error ? error.message : String(error);
  const match = ENGINE_MESSAGE.exec(message);
  if (match) return response(Number(match[1]), message.trimEnd(), version);
  const text = `Code: ${ErrorCode.UNKNOWN_EXCEPTION}. DB::Exception: ${withPeriod(message)} (UNKNOWN_EXCEPTION)`;
  return response(ErrorCode.UNKNOWN_EXCEPTION, text, version);
}

function response(code: number, text: string, version: string): ExceptionResponse {
  const body = VERSION_SUFFIX.test(text) ? text : `${text} (version ${version})`;
  return { status: httpStatusForErrorCode(code), code, body: `${body}\n` };
}

/** ClickHouse ends the message with a period before the `(TYPE)` marker. */
function withPeriod(message: string): string {
  return message.endsWith('.') ? message : `${message}.`;
}
