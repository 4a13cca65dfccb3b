/**
 * Validation of reader arguments. Every function returns the checked value or throws a
 * ReaderArgumentError naming the argument, so SQL is only ever built from checked input.
 */
import { EARLIEST_DATE, isStorableDate, LATEST_DATE } from './date-text.js';
import { ReaderArgumentError } from './errors.js';

/**
 * Longest text argument: far above any id, model name or filter value, and far below what a query
 * parameter can carry to a server (serve takes 256 KiB of URL).
 */
export const MAX_TEXT_LENGTH = 16_384;

export function requireString(argument: string, value: unknown, { allowEmpty = false } = {}): string {
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw new ReaderArgumentError(argument, allowEmpty ? 'must be a string' : 'must be a non-empty string', value);
  }
  if (value.length > MAX_TEXT_LENGTH) throw new ReaderArgumentError(argument, `must be at most ${MAX_TEXT_LENGTH} characters`, value);
  return value;
}

export function optionalString(argument: string, value: unknown): string | undefined {
  return value === undefined ? undefined : requireString(argument, value, { allowEmpty: true });
}

export function optionalBoolean(argument: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new ReaderArgumentError(argument, 'must be a boolean', value);
  return value;
}

export interface TimeRange {
  /** Inclusive. */
  start?: Date;
  /** Exclusive. */
  end?: Date;
}

export function timeRange(start: unknown, end: unknown): TimeRange {
  const range: TimeRange = {};
  if (start !== undefined) range.start = validDate('start', start);
  if (end !== undefined) range.end = validDate('end', end);
  if (range.start && range.end && range.start.getTime() > range.end.getTime()) {
    throw new ReaderArgumentError('start', `must not be after end (${range.end.toISOString()})`, range.start);
  }
  return range;
}

function validDate(argument: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ReaderArgumentError(argument, 'must be a valid Date', value);
  }
  if (!isStorableDate(value)) {
    const day = (date: Date) => date.toISOString().slice(0, 10);
    throw new ReaderArgumentError(argument, `must be a date from ${day(EARLIEST_DATE)} to ${day(LATEST_DATE)}`, value);
  }
  return value;
}

/** An integer in [min, max]; `fallback` when undefined. */
export function integerInRange(argument: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ReaderArgumentError(argument, `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function oneOf<T extends string>(argument: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ReaderArgumentError(argument, `must be one of ${allowed.map((v) => `'${v}'`).join(', ')}`, value);
  }
  return value as T;
}

/** Database and table names: quoted when rendered, and kept to plain names so a typo fails here, not in SQL. */
export function identifier(argument: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(value)) {
    throw new ReaderArgumentError(
      argument,
      'must be a table or database name of letters, digits, _ and -, not starting with a digit',
      value,
    );
  }
  return value;
}
