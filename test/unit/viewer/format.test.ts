import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exactCost,
  formatBytes,
  formatCompact,
  formatCost,
  formatDelta,
  formatInt,
  formatMs,
  formatNs,
  formatTickNs,
  formatTime,
  middleCut,
  UNKNOWN,
} from '../../../src/viewer/format.js';
import { fromNanos, subtractMoney, sumMoney, toNanos } from '../../../src/viewer/money.js';
import { toCsv } from '../../../src/viewer/csv.js';

describe('middleCut', () => {
  it.each([
    ['run-chat-0001', 'run-chat-0001'],
    ['run-anthropic-0002', 'run-anth…-0002'],
    ['3f2a1b4c-9d8e-4f00-8a1b-2c3d4e5f6a7b', '3f2a1b4c…f6a7b'],
  ])('middleCut(%s)', (id, text) => {
    expect(middleCut(id)).toBe(text);
    expect(middleCut(id).length).toBeLessThanOrEqual(14);
  });
});

describe('formatCost', () => {
  it.each([
    ['0.015300000', '$0.0153'],
    ['0.000123456', '$0.000123'],
    ['0.000000123', '$0.000000123'],
    ['0.5', '$0.50'],
    ['0.1', '$0.10'],
    ['0.123', '$0.123'],
    ['12.3456', '$12.35'],
    ['1234.5', '$1,234.50'],
    ['-0.0031', '-$0.0031'],
    ['0.000000000', '$0'],
  ])('%s -> %s', (value, text) => expect(formatCost(value)).toBe(text));

  it('unknown is never $0', () => {
    expect(formatCost(null)).toBe(UNKNOWN);
    expect(formatCost(undefined)).toBe(UNKNOWN);
    expect(formatCost('')).toBe(UNKNOWN);
    expect(exactCost(null)).toBe('no known price');
  });

  it('exactCost keeps every stored digit', () => expect(exactCost('0.000123456')).toBe('$0.000123456'));
});

describe('numbers, durations, sizes, times', () => {
  it.each([
    [1234567, '1,234,567'],
    [null, UNKNOWN],
  ])('formatInt(%s)', (value, text) => expect(formatInt(value)).toBe(text));
  it.each([
    [999, '999'],
    [1234, '1.23k'],
    [2_500_000, '2.5M'],
    [0.5, '0.5'],
  ])('formatCompact(%s)', (value, text) => expect(formatCompact(value)).toBe(text));
  it.each([
    [0.25, '0.25 ms'],
    [850.4, '850 ms'],
    [1234, '1.23 s'],
    [125_000, '2 m 05 s'],
    [3_720_000, '1 h 02 m'],
  ])('formatMs(%s)', (value, text) => expect(formatMs(value)).toBe(text));
  it.each([
    ['0', '0 ms'],
    ['950', '950 ns'],
    ['12500', '12.5 µs'],
    ['1500000000', '1.5 s'],
  ])('formatNs(%s)', (value, text) => expect(formatNs(value)).toBe(text));
  it.each([
    [0, '0'],
    [5e8, '500 ms'],
    [50e9, '50 s'],
    [60e9, '1 m'],
    [90e9, '1 m 30 s'],
    [7200e9, '2 h'],
    [5400e9, '1 h 30 m'],
    [61.5e9, '1 m 02 s'],
  ])('formatTickNs(%s)', (value, text) => expect(formatTickNs(value)).toBe(text));
  it.each([
    [512, '512 B'],
    [1_000_000, '977 KB'],
    [1_048_576, '1 MB'],
  ])('formatBytes(%s)', (value, text) => expect(formatBytes(value)).toBe(text));
  it('formatTime shows the date only on other days', () => {
    const now = new Date(2026, 10, 20, 12, 0, 0);
    expect(formatTime(new Date(2026, 10, 20, 9, 5, 7).toISOString(), now)).toBe('09:05:07');
    expect(formatTime(new Date(2026, 10, 19, 9, 5, 7).toISOString(), now)).toBe('2026-11-19 09:05:07');
  });
  it('formatDelta signs', () => {
    expect(formatDelta(1200, formatInt)).toBe('+1,200');
    expect(formatDelta(-5, formatInt)).toBe('-5');
    expect(formatDelta(0, formatInt)).toBe('±0');
    expect(formatDelta(null, formatInt)).toBe(UNKNOWN);
  });
});

describe('exact money sums', () => {
  it('adds decimal strings without float error', () => {
    expect(sumMoney(['0.1', '0.2'])).toBe('0.300000000');
    expect(sumMoney(Array.from({ length: 1000 }, () => '0.000000001'))).toBe('0.000001000');
    expect(subtractMoney('0.3', '0.1')).toBe('0.200000000');
  });
  it('nothing priced sums to unknown, not zero', () => {
    expect(sumMoney([null, null])).toBeNull();
    expect(sumMoney([])).toBeNull();
    expect(sumMoney([null, '0'])).toBe('0.000000000');
    expect(subtractMoney(null, '1')).toBeNull();
  });
  it('round-trips every Decimal(18, 9) value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n) + 1n, max: 10n ** 18n - 1n }), (nanos) => {
        expect(toNanos(fromNanos(nanos))).toBe(nanos);
      }),
    );
  });
});

describe('toCsv', () => {
  it('quotes what needs quoting (RFC 4180)', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, null],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
  });
});
