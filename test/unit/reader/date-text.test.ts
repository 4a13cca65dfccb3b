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
