/**
 * Rows to JSONEachRow bytes, serialized once (the retry buffer keeps the bytes, and its bounds are
 * exact) and in slices that yield to the event loop, so a large export never stalls the app.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Work done between two yields to the event loop. */
const SLICE_BYTES = 1 << 20;
const SLICE_ROWS = 500;

// JSON.stringify writes a lone UTF-16 surrogate as a `\udXXX` escape (valid surrogate pairs stay
// raw characters), and ClickHouse rejects such escapes: one bad string, value or map key, would
// fail the whole insert. An escape is real when an even number of backslashes precedes it.
const SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/i;
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi;

export function serializeRow(row: object): string {
  const line = JSON.stringify(row);
  return line.includes('\\ud') && SURROGATE_ESCAPE.test(line) ? line.replace(LONE_SURROGATE_ESCAPE, '$1\\ufffd') : line;
}

/**
 * JSONEachRow bytes of `rows`. A row is one line: JSON text never holds a raw newline, so row
 * boundaries can be found again in the bytes when a batch must be split (see splitBatch).
 */
export async function serializeRows(rows: readonly object[]): Promise<{ body: Buffer; rows: number }> {
  const chunks: Buffer[] = [];
  let slice = '';
  let sliceRows = 0;
  for (let i = 0; i < rows.length; i++) {
    slice += serializeRow(rows[i]!) + '\n';
    if (slice.length >= SLICE_BYTES || ++sliceRows >= SLICE_ROWS) {
      chunks.push(Buffer.from(slice));
      slice = '';
      sliceRows = 0;
      if (i < rows.length - 1) await yieldToEventLoop();
    }
  }
  if (slice !== '') chunks.push(Buffer.from(slice));
  return { body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), rows: rows.length };
}
