/**
 * Opaque page cursors: base64url JSON of where the page ended and the window and sort it was read
 * in, so the next page continues the same list even as new calls arrive. Decoded strictly: a
 * cursor that was not issued for this list is a 400 on `cursor`, never a query.
 */
import type { Window } from '../../reader/call-filter.js';
import { ParameterError } from './query-params.js';

export interface PageCursor<T> {
  /** The list it continues ('calls', 'runs') and its sort and order. */
  list: string;
  sort: string;
  order: string;
  window: Window;
  after: T;
}

export function encodeCursor<T>(cursor: PageCursor<T>): string {
  const { list, sort, order, window, after } = cursor;
  return Buffer.from(JSON.stringify({ list, sort, order, window: [window.start.getTime(), window.end.getTime()], after })).toString(
    'base64url',
  );
}

/** The cursor, checked to continue `list` with this sort and order; `after` is checked by `isAfter`. */
export function decodeCursor<T>(
  text: string,
  expected: { list: string; sort: string; order: string },
  isAfter: (value: unknown) => value is T,
): PageCursor<T> {
  const invalid = (why: string) => new ParameterError('cursor', `cursor ${why}; start again from the first page (no cursor)`);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not one this server issued');
  }
  const value = decoded as { list?: unknown; sort?: unknown; order?: unknown; window?: unknown; after?: unknown } | null;
  const window = value?.window;
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray(window) ||
    window.length !== 2 ||
    !window.every((ms) => Number.isSafeInteger(ms) && ms >= 0) ||
    window[0] > window[1] ||
    !isAfter(value.after)
  ) {
    throw invalid('is not one this server issued');
  }
  if (value.list !== expected.list || value.sort !== expected.sort || value.order !== expected.order) {
    throw invalid(`belongs to another list or sort (${String(value.list)}, ${String(value.sort)} ${String(value.order)})`);
  }
  return {
    list: expected.list,
    sort: expected.sort,
    order: expected.order,
    window: { start: new Date(window[0]), end: new Date(window[1]) },
    after: value.after,
  };
}
