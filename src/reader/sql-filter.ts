/** WHERE conditions with their query parameters, built only from validated arguments. */
import type { TimeRange } from './arguments.js';

export interface SqlFilter {
  conditions: string[];
  params: Record<string, unknown>;
}

export function combineFilters(...filters: SqlFilter[]): SqlFilter {
  return {
    conditions: filters.flatMap((filter) => filter.conditions),
    params: Object.assign({}, ...filters.map((filter) => filter.params)),
  };
}

/** `column >= start AND column < end` for the bounds that are set. */
export function timeRangeFilter(column: string, range: TimeRange): SqlFilter {
  const filter: SqlFilter = { conditions: [], params: {} };
  if (range.start) {
    filter.conditions.push(`${column} >= {start:DateTime64(3, 'UTC')}`);
    filter.params.start = dateTimeParam(range.start);
  }
  if (range.end) {
    filter.conditions.push(`${column} < {end:DateTime64(3, 'UTC')}`);
    filter.params.end = dateTimeParam(range.end);
  }
  return filter;
}

/**
 * A Date as DateTime64(3, 'UTC') parameter text. Formatted here rather than passed as a Date,
 * because connections format Date parameters differently (chDB drops the milliseconds).
 */
export function dateTimeParam(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
