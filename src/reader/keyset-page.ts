/** What every keyset-paginated list shares: its checked sort, order, page size and window, and the page it returns. */
import { integerInRange, oneOf } from './arguments.js';
import { resolveWindow, type Window } from './call-filter.js';

export const SORT_ORDERS = ['desc', 'asc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export interface Page<T, Cursor> {
  items: T[];
  /** Continue with `after: next`; null on the last page. */
  next: Cursor | null;
  window: Window;
}

export interface PageRequest<Sort extends string> {
  sort: Sort;
  order: SortOrder;
  direction: 'DESC' | 'ASC';
  limit: number;
  window: Window;
}

export function pageRequest<Sort extends string>(
  options: { sort?: unknown; order?: unknown; limit?: unknown; start?: Date; end?: Date },
  sorts: readonly Sort[],
  defaults: { sort: Sort; limit: number; maxLimit: number },
): PageRequest<Sort> {
  const sort = options.sort === undefined ? defaults.sort : oneOf('sort', options.sort, sorts);
  const order = options.order === undefined ? 'desc' : oneOf('order', options.order, SORT_ORDERS);
  return {
    sort,
    order,
    direction: order === 'desc' ? 'DESC' : 'ASC',
    limit: integerInRange('limit', options.limit, defaults.limit, 1, defaults.maxLimit),
    window: resolveWindow(options),
  };
}
