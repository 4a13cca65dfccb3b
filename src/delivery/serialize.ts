/**
 * Rows to JSONCompactEachRow bytes, serialized once (the retry buffer keeps the bytes, and its
 * bounds are exact) and in time slices (work-slices.ts), so a large export never stalls the app.
 * A row is the array of its values in the insert's column order: no key names, so a third fewer
 * bytes to write, encode, send and parse than JSONEachRow, and V8 stringifies arrays faster than
 * objects.
 */
import { insertableColumns } from '../schema/ddl.js';
import { inSlices, WorkSlices } from './work-slices.js';
import type { TableKind } from './counters.js';

/** Each table's insert columns, as ddl/ defines them. */
export const INSERT_COLUMNS: Readonly<Record<TableKind, readonly string[]>> = {
  spans: insertableColumns('otel_traces'),
  llm_calls: insertableColumns('llm_traces'),
};

/** Text is encoded to bytes in pieces of about this many characters: each a short stretch of work. */
const PIECE_CHARS = 1 << 18;

// JSON.stringify writes a lone UTF-16 surrogate as a `\udXXX` escape (valid surrogate pairs stay
// raw characters), and ClickHouse rejects such escapes: one bad string, value or map key, would
// fail the whole insert. An escape is real when an even number of backslashes precedes it.
const SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/i;
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi;

// Values many rows share (a resource's attributes) are frozen: their JSON is written once.
const sharedJson = new WeakMap<object, string>();

function isShared(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.isFrozen(value);
}

/**
 * Payload columns (String) whose values are mostly JSON documents, the largest values a row has.
 * ClickHouse reads a JSON object given where a String is expected as its text, verbatim
 * (input_format_json_read_objects_as_strings, on by default), so such a value is written as it is
 * instead of as a JSON string: no escaping of every quote in it, which was most of the CPU spent
 * on an LLM call's row.
 */
const DOCUMENT_COLUMNS: ReadonlySet<string> = new Set(['request_json', 'response_json', 'llm_config_json']);
/** Shorter documents are written as strings: too little escaping to save. */
const MIN_VERBATIM_CHARS = 256;

/** JSON text written in place of the value, when it need not be stringified. */
function writtenAs(value: unknown, column: string): string | undefined {
  if (typeof value === 'string') {
    return value.length >= MIN_VERBATIM_CHARS && DOCUMENT_COLUMNS.has(column) && isVerbatimObject(value) ? value : undefined;
  }
  if (!isShared(value)) return undefined;
  let json = sharedJson.get(value);
  if (json === undefined) sharedJson.set(value, (json = withoutLoneSurrogates(JSON.stringify(value))));
  return json;
}

/**
 * Whether ClickHouse's reader of an object as a string (readJSONObjectPossiblyInvalid) takes
 * exactly `text`: it starts with `{` and the `}` that balances it (brackets outside quotes
 * counted, a backslash skipping the next character, as the server does) is its last character. And
 * no newline, so a row stays one line. The text need not be valid JSON: it is stored as it is either
 * way. Jumps from one of `"`, `\`, `{`, `}` to the next with indexOf.
 */
export function isVerbatimObject(text: string): boolean {
  if (text.charCodeAt(0) !== OPEN || text.charCodeAt(text.length - 1) !== CLOSE || text.includes('\n')) return false;
  let depth = 0;
  let quoted = false;
  let at = 0;
  let quote = -2;
  let backslash = -2;
  let open = -2;
  let close = -2;
  for (;;) {
    // Each next position is looked up again only once passed (-1: there is none).
    if (quote !== -1 && quote < at) quote = text.indexOf('"', at);
    if (backslash !== -1 && backslash < at) backslash = text.indexOf('\\', at);
    let next = earliest(quote, backslash);
    if (!quoted) {
      if (open !== -1 && open < at) open = text.indexOf('{', at);
      if (close !== -1 && close < at) close = text.indexOf('}', at);
      next = earliest(next, earliest(open, close));
    }
    if (next === -1) return false;
    const code = text.charCodeAt(next);
    at = next + 1;
    if (code === BACKSLASH) at++;
    else if (code === QUOTE) quoted = !quoted;
    else if ((depth += code === OPEN ? 1 : -1) === 0) return at === text.length;
  }
}

const OPEN = 0x7b;
const CLOSE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The smaller of two indexOf results, -1 when both are. */
function earliest(a: number, b: number): number {
  return a === -1 ? b : b === -1 || a < b ? a : b;
}

function withoutLoneSurrogates(json: string): string {
  return json.includes('\\ud') && SURROGATE_ESCAPE.test(json) ? json.replace(LONE_SURROGATE_ESCAPE, '$1\\ufffd') : json;
}

/**
 * Text to encode, in pieces: short parts joined into pieces of about PIECE_CHARS, and a long one
 * (a payload document) kept as a piece of its own, never copied into another string.
 */
class Pieces {
  readonly list: string[] = [];
  private text = '';

  add(part: string): void {
    if (part.length >= OWN_PIECE_CHARS) {
      this.flush();
      this.list.push(part);
      return;
    }
    this.text += part;
    if (this.text.length >= PIECE_CHARS) this.flush();
  }

  flush(): void {
    if (this.text !== '') this.list.push(this.text);
    this.text = '';
  }
}

const OWN_PIECE_CHARS = 4096;

/** The row's values as a JSON array line: runs of values stringified together, the others added as written. */
function serializeRow(row: object, columns: readonly string[], out: Pieces): void {
  let opening = '[';
  let run: unknown[] = [];
  for (const column of columns) {
    const value = (row as Record<string, unknown>)[column];
    const written = writtenAs(value, column);
    if (written === undefined) {
      run.push(value);
      continue;
    }
    if (run.length > 0) {
      out.add(opening + withoutLoneSurrogates(JSON.stringify(run).slice(1, -1)));
      opening = ',';
      run = [];
    }
    out.add(opening);
    out.add(written);
    opening = ',';
  }
  if (run.length > 0) out.add(opening + withoutLoneSurrogates(JSON.stringify(run).slice(1)) + '\n');
  else out.add(opening === '[' ? '[]\n' : ']\n');
}

/**
 * JSONCompactEachRow bytes of `rows`, each row's `columns` in order. A row is one line: JSON text
 * never holds a raw newline, so row boundaries can be found again in the bytes when a batch must be
 * split (see splitBatch).
 */
export async function serializeRows(rows: readonly object[], columns: readonly string[]): Promise<{ body: Buffer; rows: number }> {
  // Lines are joined into pieces of text, then encoded straight into one buffer of the exact size:
  // no copy of the whole body, which for a large export would stall the app for milliseconds.
  const pieces = new Pieces();
  const slices = new WorkSlices();
  await inSlices(rows, (row) => serializeRow(row, columns, pieces), slices);
  pieces.flush();
  let size = 0;
  for (const piece of pieces.list) size += Buffer.byteLength(piece);
  const body = Buffer.allocUnsafe(size);
  let offset = 0;
  await inSlices(
    pieces.list,
    (piece) => {
      offset += body.write(piece, offset);
    },
    slices,
  );
  return { body, rows: rows.length };
}
