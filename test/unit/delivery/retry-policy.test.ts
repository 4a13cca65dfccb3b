import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyFailure } from '../../../src/delivery/retry-policy.js';
import { chError } from '../../support/clickhouse-error.js';

/** The shape of chDB's ChdbInsertError (chdb/dist/errors.d.ts), as its rawInsert throws it. */
const chdbInsertError = (clickhouseCode: number) =>
  Object.assign(new Error(`Code: ${clickhouseCode}. DB::Exception: refused: (at row 2)`), {
    name: 'ChdbInsertError',
    code: 'CHDB_INSERT',
    clickhouseCode,
    reason: 'write-failure',
    failedAtRow: 2,
  });

describe('classifyFailure', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }), true, 'network'],
    [new Error('Timeout error.'), true, 'timeout'],
    [chError('252', 'TOO_MANY_PARTS'), true, 'overload'],
    [chError('241', 'MEMORY_LIMIT_EXCEEDED'), true, 'overload'],
    [new Error('<html>502 Bad Gateway</html>'), true, 'unknown'],
    [chError('516', 'AUTHENTICATION_FAILED'), false, 'AUTHENTICATION_FAILED'],
    [chError('60', 'UNKNOWN_TABLE'), false, 'UNKNOWN_TABLE'],
    [chError('16', 'NO_SUCH_COLUMN_IN_TABLE'), false, 'NO_SUCH_COLUMN_IN_TABLE'],
    [chError('27', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'), false, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
    // chDB's raw insert: its own code in `code`, the engine's in `clickhouseCode`.
    [chdbInsertError(27), false, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
    [chdbInsertError(469), false, 'VIOLATED_CONSTRAINT'],
    [chdbInsertError(252), true, 'overload'],
  ])('%s -> retryable %s (%s)', (error, retryable, reason) => {
    expect(classifyFailure(error)).toMatchObject({ retryable, reason });
  });

  it('splits a batch chDB refuses for its data, as it does one a server refuses', () => {
    expect(classifyFailure(chdbInsertError(27)).dataError).toBe(true);
    expect(classifyFailure(chdbInsertError(469)).dataError).toBe(true);
  });

  it('tells data errors (split the batch) from configuration errors (fix and drop)', () => {
    expect(classifyFailure(chError('27', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED')).dataError).toBe(true);
    const auth = classifyFailure(chError('516', 'AUTHENTICATION_FAILED'));
    expect(auth.dataError).toBeUndefined();
    expect(auth.fix).toContain('OTEL_EXPORTER_CLICKHOUSE_PASSWORD');
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with full jitter and a cap', () => {
    expect(backoffDelay(0, () => 1)).toBe(200);
    expect(backoffDelay(3, () => 1)).toBe(1600);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
    expect(backoffDelay(3, () => 0.5)).toBe(800);
    expect(backoffDelay(3, () => 0)).toBe(0);
  });
});
