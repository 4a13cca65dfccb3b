import { describe, expect, it } from 'vitest';
import { preferredCoding } from '../../../src/server/content-encoding.js';
import { decodeCursor, encodeCursor } from '../../../src/server/viewer-api/cursor.js';
import { csvField } from '../../../src/server/viewer-api/export-stream.js';
import { ParameterError, QueryParams, parameterOfArgument } from '../../../src/server/viewer-api/query-params.js';

const isAfter = (value: unknown): value is { id: string } => typeof (value as { id?: unknown })?.id === 'string';

describe('QueryParams', () => {
  const parse = (query: string, allowed: string[]) => new QueryParams(new URLSearchParams(query), allowed);

  it('refuses unknown and repeated parameters, naming them', () => {
    expect(() => parse('a=1&b=2', ['a'])).toThrow(expect.objectContaining({ parameter: 'b' }));
    expect(() => parse('a=1&a=2', ['a'])).toThrow(expect.objectContaining({ parameter: 'a' }));
    expect(() => parse('organization_id=x&user=u&password=p', [])).not.toThrow();
  });

  it('parses the common filters strictly', () => {
    const filters = parse('start=2026-01-01&end=1767312000000&errors=1&min_cost=0.5&min_prompt_tokens=100&agent_id=&q=hi', [
      'start',
      'end',
      'errors',
      'min_cost',
      'min_prompt_tokens',
      'agent_id',
      'q',
    ]).filters();
    expect(filters).toMatchObject({
      start: new Date('2026-01-01T00:00:00Z'),
      end: new Date(1767312000000),
      isError: true,
      minCostUsd: '0.5',
      minPromptTokens: 100,
      agentId: '',
      search: 'hi',
    });
    for (const [query, parameter] of [
      ['min_cost=1e3', 'min_cost'],
      ['min_cost=0.0000000001', 'min_cost'],
      ['errors=yes', 'errors'],
      ['min_prompt_tokens=1.5', 'min_prompt_tokens'],
      ['start=2026-13-01', 'start'],
    ]) {
      const [name] = query!.split('=');
      expect(() => parse(query!, [name!]).filters(), query).toThrow(expect.objectContaining({ parameter }));
    }
  });

  it('maps reader argument names back to the parameters the client sent', () => {
    expect(parameterOfArgument('minCostUsd')).toBe('min_cost');
    expect(parameterOfArgument('after.key')).toBe('cursor');
    expect(parameterOfArgument('limit')).toBe('limit');
  });
});

describe('cursors', () => {
  const window = { start: new Date(1000), end: new Date(2000) };

  it('round-trip with their window, sort and position', () => {
    const text = encodeCursor({ list: 'calls', sort: 'cost', order: 'desc', window, after: { id: 'x' } });
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, { list: 'calls', sort: 'cost', order: 'desc' }, isAfter)).toEqual({
      list: 'calls',
      sort: 'cost',
      order: 'desc',
      window,
      after: { id: 'x' },
    });
  });

  it('are refused for another list, sort or order, and when forged', () => {
    const text = encodeCursor({ list: 'calls', sort: 'cost', order: 'desc', window, after: { id: 'x' } });
    for (const expected of [
      { list: 'runs', sort: 'cost', order: 'desc' },
      { list: 'calls', sort: 'time', order: 'desc' },
      { list: 'calls', sort: 'cost', order: 'asc' },
    ]) {
      expect(() => decodeCursor(text, expected, isAfter)).toThrow(ParameterError);
    }
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of [
      '!!',
      forged(null),
      forged({ list: 'calls', sort: 'cost', order: 'desc', window: [2, 1], after: { id: 'x' } }),
      forged({ list: 'calls', sort: 'cost', order: 'desc', window: [1, 2], after: { id: 3 } }),
    ]) {
      expect(() => decodeCursor(bad, { list: 'calls', sort: 'cost', order: 'desc' }, isAfter)).toThrow(
        expect.objectContaining({ parameter: 'cursor' }),
      );
    }
  });
});

describe('csvField', () => {
  it('quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\nbye')).toBe('"say ""hi""\nbye"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField(null)).toBe('');
    expect(csvField(12)).toBe('12');
    expect(csvField(false)).toBe('false');
    expect(csvField(['a', 'b'])).toBe('a;b');
  });
});

describe('preferredCoding', () => {
  it('follows Accept-Encoding weights in the server order', () => {
    expect(preferredCoding('gzip, deflate, br', ['br', 'gzip'])).toBe('br');
    expect(preferredCoding('br;q=0, gzip', ['br', 'gzip'])).toBe('gzip');
    expect(preferredCoding('*', ['br', 'gzip'])).toBe('br');
    expect(preferredCoding('*;q=0, identity', ['br', 'gzip'])).toBeUndefined();
    expect(preferredCoding('x-gzip', ['br', 'gzip'])).toBe('gzip');
    expect(preferredCoding(undefined, ['br', 'gzip'])).toBeUndefined();
    expect(preferredCoding('deflate', ['br', 'gzip'])).toBeUndefined();
  });
});
