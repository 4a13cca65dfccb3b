/**
 * Exact time conversions from OTel `HrTime` ([seconds, nanoseconds]) to ClickHouse values. Times
 * a span cannot really have (NaN, before 2001, after 2262) are clamped, so a broken clock in one
 * span cannot fail the insert of its batch.
 */
import type { HrTime } from '@opentelemetry/api';

// 2262-04-11, the last second DateTime64(9) can hold.
const MAX_SECONDS = 9_223_372_035;
// 2001-09-09: ClickHouse reads "<seconds>.<fraction>" as epoch time only from 10 integer digits on.
const MIN_SECONDS = 1_000_000_000;

function valid(time: HrTime): [seconds: number, nanos: number] {
  const [seconds, nanos] = time;
  if (!Number.isFinite(seconds) || seconds < MIN_SECONDS) return [MIN_SECONDS, 0];
  if (seconds > MAX_SECONDS) return [MAX_SECONDS, 0];
  const n = Number.isFinite(nanos) ? Math.min(999_999_999, Math.max(0, Math.floor(nanos))) : 0;
  return [Math.floor(seconds), n];
}

/**
 * Epoch seconds with 9 decimals (`1795346763.970123457`): what a DateTime64(9) column takes
 * exactly in JSONEachRow (a JSON number of epoch ns would lose precision above 2^53, and a short
 * integer string such as "0" is not read as a time at all).
 */
export function hrTimeToNanosString(time: HrTime): string {
  const [seconds, nanos] = valid(time);
  return `${seconds}.${String(nanos).padStart(9, '0')}`;
}

/** Epoch seconds with 6 decimals, for DateTime64(6) columns. */
export function hrTimeToMicrosString(time: HrTime): string {
  const [seconds, nanos] = valid(time);
  return `${seconds}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}`;
}

export function hrTimeToMillis(time: HrTime): number {
  const [seconds, nanos] = valid(time);
  return seconds * 1000 + nanos / 1e6;
}
