import { describe, expect, it } from 'vitest';
import { serializeRows } from '../../../src/delivery/serialize.js';

describe('serializeRows', () => {
  it('writes each row as the array of its values in column order, one per line', async () => {
    const { body, rows } = await serializeRows(
      [
        { b: 2, a: 'x' },
        { a: 'y', b: 3, extra: true },
      ],
      ['a', 'b'],
    );
    expect(rows).toBe(2);
    expect(body.toString()).toBe('["x",2]\n["y",3]\n');
  });

  it('replaces lone surrogates so ClickHouse accepts the row, and keeps valid pairs', async () => {
    const { body } = await serializeRows([{ s: 'a\ud800b', emoji: '😀', text: 'x\\ud800' }], ['s', 'emoji', 'text']);
    expect(JSON.parse(body.toString())).toEqual(['a\ufffdb', '😀', 'x\\ud800']);
  });

  it('replaces lone surrogates in map keys too, and leaves escaped backslashes alone', async () => {
    const { body } = await serializeRows([{ m: { 'k\udc00': 'v', ok: 'x\\\\ud800y' } }], ['m']);
    expect(JSON.parse(body.toString())).toEqual([{ 'k\ufffd': 'v', ok: 'x\\\\ud800y' }]);
  });
});
