/** Exact time conversions from OTel `HrTime` ([seconds, nanoseconds]) to ClickHouse values. */
import type { HrTime } from '@opentelemetry/api';

/**
 * Epoch nanoseconds as a decimal string: what a DateTime64(9) column takes exactly in
 * JSONEachRow (a JSON number of epoch ns would lose precision above 2^53).
 */
export function hrTimeToNanosString(time: HrTime): string {
  const [seconds, nanos] = time;
  if (seconds <= 0) return String(Math.max(0, nanos));
  return `${seconds}${String(nanos).padStart(9, '0')}`;
}

/** Epoch microseconds as a decimal string, for DateTime64(6) columns. */
export function hrTimeToMicrosString(time: HrTime): string {
  const [seconds, nanos] = time;
  const micros = Math.floor(nanos / 1000);
  if (seconds <= 0) return String(Math.max(0, micros));
  return `${seconds}${String(micros).padStart(6, '0')}`;
}

export function hrTimeToMillis(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}
