/**
 * Exact time conversions from OTel `HrTime` ([seconds, nanoseconds]) to ClickHouse values. Times
 * outside what DateTime64 holds (negative, NaN, past 2262) are clamped, so a broken clock in one
 * span cannot fail the insert of its batch.
 */
import type { HrTime } from '@opentelemetry/api';

// 2262-04-11, the last second DateTime64(9) can hold.
const MAX_SECONDS = 9_223_372_035;

function valid(time: HrTime): [seconds: number, nanos: number] {
  const [seconds, nanos] = time;
  if (!Number.isFinite(seconds) || seconds < 0) return [0, 0];
  if (seconds > MAX_SECONDS) return [MAX_SECONDS, 0];
  const n = Number.isFinite(nanos) ? Math.min(999_999_999, Math.max(0, Math.floor(nanos))) : 0;
  return [Math.floor(seconds), n];
}

/**
 * Epoch nanoseconds as a decimal string: what a DateTime64(9) column takes exactly in
 * JSONEachRow (a JSON number of epoch ns would lose precision above 2^53).
 */
export function hrTimeToNanosString(time: HrTime): string {
  const [seconds, nanos] = valid(time);
  if (seconds === 0) return String(nanos);
  return `${seconds}${String(nanos).padStart(9, '0')}`;
}

/** Epoch microseconds as a decimal string, for DateTime64(6) columns. */
export function hrTimeToMicrosString(time: HrTime): string {
  const [seconds, nanos] = valid(time);
  const micros = Math.floor(nanos / 1000);
  if (seconds === 0) return String(micros);
  return `${seconds}${String(micros).padStart(6, '0')}`;
}

export function hrTimeToMillis(time: HrTime): number {
  const [seconds, nanos] = valid(time);
  return seconds * 1000 + nanos / 1e6;
}
