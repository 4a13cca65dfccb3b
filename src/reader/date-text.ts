/** Dates given as text by people and URLs: ISO 8601 (a day, or a day and a time) or epoch milliseconds. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The dates every time column and parameter holds: DateTime64(9), the narrowest, stores
 * 1900-01-01 to 2262-04-11 23:47:16 UTC. A date outside would fail in the engine, not here.
 */
export const EARLIEST_DATE = new Date(Date.UTC(1900, 0, 1));
export const LATEST_DATE = new Date(Date.UTC(2262, 3, 11, 23, 47, 16));

/** The date is one the engine can compare a time column with. */
export function isStorableDate(date: Date): boolean {
  const time = date.getTime();
  return time >= EARLIEST_DATE.getTime() && time <= LATEST_DATE.getTime();
}

/** The date, or undefined when the text is not one of the accepted forms, not a real date, or out of range. */
export function parseDateText(text: string): Date | undefined {
  const value = text.trim();
  let date: Date | undefined;
  if (/^\d{1,15}$/.test(value)) date = new Date(Number(value));
  else {
    const parts = ISO_8601.exec(value);
    // Date() rolls 2026-02-30 over to March 2; a day or hour that does not exist is refused instead.
    if (parts && isCalendarDay(Number(parts[1]), Number(parts[2]), Number(parts[3])) && Number(parts[4] ?? 0) < 24) date = new Date(value);
  }
  return date === undefined || Number.isNaN(date.getTime()) || !isStorableDate(date) ? undefined : date;
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
