import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SpanSkeleton } from '../../../src/server/viewer-api/types.js';
import { diffLines } from '../../../src/viewer/diff.js';
import { apiFilters, windowOf } from '../../../src/viewer/filters.js';
import { foldBelow, jsonLines, visibleLines } from '../../../src/viewer/json-lines.js';
import { href, parseRoute, withParams } from '../../../src/viewer/route.js';
import { axisTicks, layoutSpans, visibleRows } from '../../../src/viewer/span-tree.js';

describe('diffLines', () => {
  it('marks the changed lines of two prompts', () => {
    expect(diffLines('a\nb\nc', 'a\nx\nc')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'del', text: 'b' },
      { op: 'add', text: 'x' },
      { op: 'same', text: 'c' },
    ]);
  });
  it('always reproduces both sides, and finds no change in equal texts', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 30 }).map((lines) => lines.join('\n'));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const diff = diffLines(a, b);
        const side = (ops: string[]) =>
          diff
            .filter((l) => ops.includes(l.op))
            .map((l) => l.text)
            .join('\n');
        expect(side(['same', 'del'])).toBe(a === '' ? '' : a);
        expect(side(['same', 'add'])).toBe(b === '' ? '' : b);
        if (a === b) expect(diff.every((l) => l.op === 'same')).toBe(true);
      }),
    );
  });
  it('gives up searching past the edit bound with a correct, coarse answer', () => {
    const a = Array.from({ length: 300 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 300 }, (_, i) => `b${i}`).join('\n');
    const diff = diffLines(a, b, 50);
    expect(diff.filter((l) => l.op === 'del')).toHaveLength(300);
    expect(diff.filter((l) => l.op === 'add')).toHaveLength(300);
  });
});

const span = (id: string, parent: string, start: string, duration: string, name = id): SpanSkeleton => ({
  span_id: id,
  parent_span_id: parent,
  name,
  service: 'svc',
  kind: 'Internal',
  status_code: 'Unset',
  status_message: '',
  start_ns: start,
  duration_ns: duration,
  depth: 0,
  event_count: 0,
  llm: null,
});

describe('layoutSpans', () => {
  // Nanosecond epoch times past 2^53: offsets must stay exact.
  const base = 1_795_346_763_970_123_457n;
  const at = (offset: number) => String(base + BigInt(offset));
  const spans = [
    span('c2', 'root', at(500), '100'),
    span('root', '', at(0), '1000'),
    span('c1', 'root', at(100), '200'),
    span('g', 'c1', at(150), '50'),
    span('orphan', 'gone', at(900), '300'),
  ];

  it('orders depth-first by start with exact offsets; a missing parent makes a root', () => {
    const { rows, totalNs } = layoutSpans(spans);
    expect(rows.map((r) => [r.span.span_id, r.depth, r.offsetNs])).toEqual([
      ['root', 0, 0],
      ['c1', 1, 100],
      ['g', 2, 150],
      ['c2', 1, 500],
      ['orphan', 0, 900],
    ]);
    expect(totalNs).toBe(1200);
    expect(rows[0]!.childCount).toBe(2);
    expect(rows[2]!.path).toBe('root / c1 / g');
  });

  it('hides collapsed subtrees', () => {
    const { rows } = layoutSpans(spans);
    expect(visibleRows(rows, new Set(['c1'])).map((r) => r.span.span_id)).toEqual(['root', 'c1', 'c2', 'orphan']);
    expect(visibleRows(rows, new Set(['root'])).map((r) => r.span.span_id)).toEqual(['root', 'orphan']);
  });

  it('keeps spans on a parent cycle and survives a 10,000-deep chain', () => {
    expect(layoutSpans([span('a', 'b', at(0), '1'), span('b', 'a', at(1), '1')]).rows.map((r) => [r.span.span_id, r.depth])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    const chain = Array.from({ length: 10_000 }, (_, i) => span(`s${i}`, i === 0 ? '' : `s${i - 1}`, at(i), '1'));
    const { rows } = layoutSpans(chain);
    expect(rows).toHaveLength(10_000);
    expect(rows.at(-1)!.depth).toBe(9_999);
  });

  it('axis ticks fall on round steps', () => {
    expect(axisTicks(1_000_000_000)).toEqual([0, 2e8, 4e8, 6e8, 8e8, 1e9]);
    expect(axisTicks(0)).toEqual([0]);
  });
});

describe('jsonLines', () => {
  const json = jsonLines(JSON.stringify({ a: { b: [1, 2] }, c: 'x' }));
  it('pretty-prints and matches brackets', () => {
    expect(json.lines).toEqual(['{', '  "a": {', '    "b": [', '      1,', '      2', '    ]', '  },', '  "c": "x"', '}']);
    expect(json.closes[0]).toBe(8);
    expect(json.closes[1]).toBe(6);
    expect(json.closes[2]).toBe(5);
  });
  it('folds', () => {
    expect(visibleLines(json, new Set([1]))).toEqual([0, 1, 7, 8]);
    expect([...foldBelow(json, 1)]).toEqual([1, 2]);
  });
  it('shows text that is not JSON as stored, unfoldable', () => {
    const cut = jsonLines('{"a": "b…[truncated by llm-traces: 10 bytes in all]');
    expect(cut.parsed).toBe(false);
    expect(cut.lines).toHaveLength(1);
  });
});

describe('routes and filters', () => {
  it('parses detail and list routes; unknown ones fall back to Calls', () => {
    expect(parseRoute('#/calls/a%2Fb?x=1')).toMatchObject({ page: 'call', id: 'a/b' });
    expect(parseRoute('#/traces/abc').page).toBe('trace');
    expect(parseRoute('#/runs').page).toBe('runs');
    expect(parseRoute('#/usage?group_by=agent_id').params.get('group_by')).toBe('agent_id');
    expect(parseRoute('#/nope/x/y').page).toBe('calls');
    expect(parseRoute('').page).toBe('calls');
  });
  it('builds short links', () => {
    expect(href('/calls', { model: 'gpt-4o', errors: true, q: '', cursor: null })).toBe('#/calls?model=gpt-4o&errors=1');
    expect(withParams(new URLSearchParams('a=1&b=2'), { a: null, c: 3 }).toString()).toBe('b=2&c=3');
  });
  it('resolves the window: a preset relative to now, or absolute', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    expect(windowOf(new URLSearchParams('range=1h'), now).start.toISOString()).toBe('2026-11-20T11:00:00.000Z');
    expect(windowOf(new URLSearchParams(''), now).range).toBe('24h');
    const absolute = windowOf(new URLSearchParams('start=2026-11-01T00:00:00Z&end=1795000000000'), now);
    expect([absolute.range, absolute.start.toISOString(), absolute.end.getTime()]).toEqual([
      null,
      '2026-11-01T00:00:00.000Z',
      1795000000000,
    ]);
    expect(apiFilters(new URLSearchParams('range=1h&model=m&errors=1&sort=cost&q='), now)).toEqual({
      start: '2026-11-20T11:00:00.000Z',
      end: '2026-11-20T12:00:00.000Z',
      model: 'm',
      errors: '1',
    });
  });
});
