import { describe, expect, it } from 'vitest';
import { isVerbatimObject, serializeRows } from '../../../src/delivery/serialize.js';

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

describe('payload documents written as they are', () => {
  const document = JSON.stringify({ messages: [{ role: 'user', content: 'say "hi" {please}\\ \n'.repeat(20) }], model: 'gpt-4o' });

  it('writes a JSON object of a payload column unescaped, which ClickHouse reads back as the same text', async () => {
    const { body } = await serializeRows([{ request_json: document, model: 'm' }], ['request_json', 'model']);
    expect(body.toString()).toBe(`[${document},"m"]\n`);
  });

  it('writes other text, other columns and short documents as JSON strings', async () => {
    const truncated = document.slice(0, 300);
    const rows = [{ request_json: truncated, response_json: '{"a":1}', other: document }];
    const { body } = await serializeRows(rows, ['request_json', 'response_json', 'other']);
    expect(JSON.parse(body.toString())).toEqual([truncated, '{"a":1}', document]);
  });

  it.each([
    ['a balanced object', '{"a":"}{","b":{"c":"\\\\"}}', true],
    ['invalid JSON the server still reads whole', '{a: {b}}', true],
    ['an object closed before its end', '{"a":1}{"b":2}', false],
    ['an unclosed string', '{"a":"}', false],
    ['an escaped closing quote', '{"a":"\\"}', false],
    ['a raw newline', '{"a":\n1}', false],
    ['an array', '[{"a":1}]', false],
    ['more closing than opening brackets', '{"a":1}}', false],
  ])('reads %s as verbatim: %s', (_what, text, verbatim) => {
    expect(isVerbatimObject(text)).toBe(verbatim);
  });
});
