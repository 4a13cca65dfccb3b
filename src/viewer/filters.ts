/**
 * The filters shared by the Calls, Errors, Top and export views, read from the page's URL and
 * turned into API query parameters. URL and API use the same names, so a view's link and the
 * request behind it read alike. The time window is either a preset relative to now
 * (`range=24h`) or absolute (`start`/`end`); relative windows are resolved when a request is made.
 */
export const RANGES = [
  ['15m', 15 * 60_000],
  ['1h', 3_600_000],
  ['6h', 6 * 3_600_000],
  ['24h', 86_400_000],
  ['7d', 7 * 86_400_000],
  ['30d', 30 * 86_400_000],
] as const;

export type RangeName = (typeof RANGES)[number][0];
export const DEFAULT_RANGE: RangeName = '24h';

/** Filters that narrow the set of calls (the contract's F), besides the window. */
export const CALL_FILTERS = [
  'agent_id',
  'run_id',
  'model',
  'provider',
  'call_type',
  'tag',
  'errors',
  'min_cost',
  'min_prompt_tokens',
  'q',
] as const;
export type CallFilter = (typeof CALL_FILTERS)[number];

export interface Window {
  start: Date;
  end: Date;
  /** The preset, when the window is relative to now. */
  range: RangeName | null;
}

export function rangeMs(name: string): number | undefined {
  return RANGES.find(([n]) => n === name)?.[1];
}

/** An ISO date or epoch milliseconds, as the API accepts them. */
export function parseInstant(text: string | null): Date | undefined {
  if (text === null || text === '') return undefined;
  const date = /^\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function windowOf(params: URLSearchParams, now: Date = new Date(), fallback: RangeName = DEFAULT_RANGE): Window {
  const start = parseInstant(params.get('start'));
  const end = parseInstant(params.get('end'));
  if (start && !params.get('range')) return { start, end: end ?? now, range: null };
  const range = (rangeMs(params.get('range') ?? '') ? params.get('range') : fallback) as RangeName;
  return { start: new Date(now.getTime() - rangeMs(range)!), end: now, range };
}

/** API query parameters for the page's filters and window (cursor, sort and the like excluded). */
export function apiFilters(params: URLSearchParams, now: Date = new Date(), fallback: RangeName = DEFAULT_RANGE): Record<string, string> {
  const window = windowOf(params, now, fallback);
  const out: Record<string, string> = { start: window.start.toISOString(), end: window.end.toISOString() };
  for (const name of CALL_FILTERS) {
    const value = params.get(name);
    if (value !== null && value !== '') out[name] = value;
  }
  return out;
}

/** How many narrowing filters are set (the window excluded), for the "clear" control. */
export function activeFilters(params: URLSearchParams): CallFilter[] {
  return CALL_FILTERS.filter((name) => (params.get(name) ?? '') !== '');
}

/** `datetime-local` input value in local time, and back. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value: string): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
