import { describe, expect, it } from 'vitest';
import { parseDateText } from '../../../src/reader/date-text.js';

describe('parseDateText', () => {
  it.each([
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000Z'],
    ['2026-11-20 10:00:00.5+01:00', '2026-11-20T09:00:00.500Z'],
    ['1795346763970', '2026-11-22T11:26:03.970Z'],
  ])('reads %s', (text, iso) => {
    expect(parseDateText(text)?.toISOString()).toBe(iso);
  });

  it.each(["' OR '1'='1", 'x 1', 'UNION SELECT 1', 'tomorrow', '2026-13-45', ''])('refuses %j', (text) => {
    expect(parseDateText(text)).toBeUndefined();
  });
});

describe('parseDateText: only real dates ClickHouse can compare', () => {
  it.each(['2026-02-30', '2026-04-31', '2025-02-29', '2026-11-20T24:00:00Z', '2026-11-20T10:61:00Z'])(
    'refuses the non-existent %s',
    (text) => {
      expect(parseDateText(text)).toBeUndefined();
    },
  );

  it.each(['253402300800000', '1899-12-31', '2262-04-12'])(
    'refuses %s, outside what DateTime64 holds (1900-01-01 to 2262-04-11)',
    (text) => {
      expect(parseDateText(text)).toBeUndefined();
    },
  );

  it.each([
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['1900-01-01', '1900-01-01T00:00:00.000Z'],
    ['2262-04-11', '2262-04-11T00:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseDateText(text)?.toISOString()).toBe(iso);
  });
});
