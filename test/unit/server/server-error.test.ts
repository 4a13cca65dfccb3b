import { ClickHouseError, parseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { httpStatusForErrorCode } from '../../../src/server/error-codes.js';
import { ClickHouseServerError, exceptionResponse } from '../../../src/server/server-error.js';

const VERSION = '26.7.2.1';

describe('exceptionResponse', () => {
  it('formats an error of the server itself like ClickHouse, and the official client parses it', () => {
    const error = new ClickHouseServerError(
      'AUTHENTICATION_FAILED',
      'alice: Authentication failed: password is incorrect, or there is no user with such name',
    );
    const response = exceptionResponse(error, VERSION);
    expect(response).toEqual({
      status: 403,
      code: 516,
      body:
        'Code: 516. DB::Exception: alice: Authentication failed: password is incorrect, or there is no user with such name. ' +
        '(AUTHENTICATION_FAILED) (version 26.7.2.1)\n',
    });
    const parsed = parseError(response.body);
    expect(parsed).toBeInstanceOf(ClickHouseError);
    expect(parsed).toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' });
  });

  it('keeps an engine message and its code, adding only the version', () => {
    const engine = new Error(
      "Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT * FROM nope. Maybe you meant system.one?. (UNKNOWN_TABLE)",
    );
    const response = exceptionResponse(engine, VERSION);
    expect(response.status).toBe(404);
    expect(response.code).toBe(60);
    expect(response.body).toBe(`${engine.message} (version 26.7.2.1)\n`);
    expect(parseError(response.body)).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
  });

  it('does not repeat a version suffix the engine already wrote', () => {
    const engine = new Error('Code: 73. DB::Exception: Unknown format NoSuchFormat. (UNKNOWN_FORMAT) (version 26.7.2.1)');
    expect(exceptionResponse(engine, VERSION).body).toBe(`${engine.message}\n`);
  });

  it('reports an error without a ClickHouse code as UNKNOWN_EXCEPTION with status 500', () => {
    const response = exceptionResponse(new TypeError('No active connection available'), VERSION);
    expect(response).toEqual({
      status: 500,
      code: 1002,
      body: 'Code: 1002. DB::Exception: No active connection available. (UNKNOWN_EXCEPTION) (version 26.7.2.1)\n',
    });
  });

  it('does not add a second period after a message that ends with one', () => {
    const response = exceptionResponse(new ClickHouseServerError('SYNTAX_ERROR', 'Empty query.'), VERSION);
    expect(response.body).toBe('Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR) (version 26.7.2.1)\n');
  });
});

describe('httpStatusForErrorCode', () => {
  it.each([
    [62, 400], // SYNTAX_ERROR
    [27, 400], // CANNOT_PARSE_INPUT_ASSERTION_FAILED
    [36, 400], // BAD_ARGUMENTS
    [60, 404], // UNKNOWN_TABLE
    [115, 404], // UNKNOWN_SETTING
    [81, 404], // UNKNOWN_DATABASE
    [516, 403], // AUTHENTICATION_FAILED
    [194, 401], // REQUIRED_PASSWORD
    [229, 413], // QUERY_IS_TOO_LARGE
    [48, 501], // NOT_IMPLEMENTED
    [159, 408], // TIMEOUT_EXCEEDED
    [202, 500], // TOO_MANY_SIMULTANEOUS_QUERIES
    [164, 500], // READONLY
  ])('maps code %i to HTTP %i as ClickHouse does', (code, status) => {
    expect(httpStatusForErrorCode(code)).toBe(status);
  });
});
