import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { insertableColumns } from '../../../src/schema/ddl.js';
import { attributeToString } from '../../../src/rows/attribute-value.js';
import { toOtelRow } from '../../../src/rows/otel-row.js';
import { hrTimeToMicrosString, hrTimeToNanosString } from '../../../src/rows/time.js';
import { makeSpan } from '../../support/spans.js';

describe('toOtelRow', () => {
  it('has exactly the insertable columns of ddl/otel_traces.sql', () => {
    expect(Object.keys(toOtelRow(makeSpan())).sort()).toEqual(insertableColumns('otel_traces').sort());
  });

  it.each([
    [SpanKind.INTERNAL, 'Internal'],
    [SpanKind.SERVER, 'Server'],
    [SpanKind.CLIENT, 'Client'],
    [SpanKind.PRODUCER, 'Producer'],
    [SpanKind.CONSUMER, 'Consumer'],
  ])('writes span kind %s as %s', (kind, name) => {
    expect(toOtelRow(makeSpan({ kind })).SpanKind).toBe(name);
  });

  it.each([
    [SpanStatusCode.UNSET, 'Unset'],
    [SpanStatusCode.OK, 'Ok'],
    [SpanStatusCode.ERROR, 'Error'],
  ])('writes status %s as %s', (code, name) => {
    expect(toOtelRow(makeSpan({ status: { code } })).StatusCode).toBe(name);
  });

  it('writes a root span with an empty ParentSpanId and an all-zero id as empty', () => {
    expect(toOtelRow(makeSpan()).ParentSpanId).toBe('');
    expect(toOtelRow(makeSpan({ parentSpanId: '0000000000000000' })).ParentSpanId).toBe('');
    expect(toOtelRow(makeSpan({ spanId: 'ABCDEF0123456789' })).SpanId).toBe('abcdef0123456789');
  });

  it('computes Duration in nanoseconds', () => {
    const row = toOtelRow(makeSpan({ startTime: [100, 999_999_999], endTime: [102, 1] }));
    expect(row.Duration).toBe(1_000_000_002);
  });
});

describe('attributeToString (the Collector AsString rules)', () => {
  it.each([
    ['text', 'text'],
    [true, 'true'],
    [false, 'false'],
    [42, '42'],
    [0.1, '0.1'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [['a', 'b'], '["a","b"]'],
    [[1, 2.5], '[1,2.5]'],
    [[true, null], '[true,null]'],
    [[NaN], '["NaN"]'],
  ])('%j -> %s', (value, expected) => {
    expect(attributeToString(value as never)).toBe(expected);
  });
});

describe('exact timestamps', () => {
  it('keeps every nanosecond and microsecond', () => {
    expect(hrTimeToNanosString([1_795_346_763, 5])).toBe('1795346763.000000005');
    expect(hrTimeToMicrosString([1_795_346_763, 970_123_457])).toBe('1795346763.970123');
  });

  it('clamps times DateTime64 cannot hold instead of failing the insert', () => {
    expect(hrTimeToNanosString([NaN, 5])).toBe('1000000000.000000000');
    expect(hrTimeToNanosString([-3, 5])).toBe('1000000000.000000000');
    expect(hrTimeToNanosString([99_999_999_999, 5])).toBe('9223372035.000000000');
  });
});
