/**
 * Exact sums of the API's decimal USD strings (ClickHouse Decimal(18, 9)): added as BigInt
 * nano-dollars, so a chart's total equals the reader's to the last digit. Pure.
 */
const SCALE = 9;

export function toNanos(value: string): bigint {
  const negative = value.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? value.slice(1) : value).split('.');
  const nanos = BigInt(whole || '0') * 10n ** BigInt(SCALE) + BigInt((fraction + '0'.repeat(SCALE)).slice(0, SCALE) || '0');
  return negative ? -nanos : nanos;
}

export function fromNanos(nanos: bigint): string {
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  const unit = 10n ** BigInt(SCALE);
  return `${negative ? '-' : ''}${abs / unit}.${String(abs % unit).padStart(SCALE, '0')}`;
}

/** The sum, or null when every value is null (nothing priced: unknown, not zero). */
export function sumMoney(values: ReadonlyArray<string | null | undefined>): string | null {
  let total = 0n;
  let any = false;
  for (const value of values) {
    if (value === null || value === undefined || value === '') continue;
    total += toNanos(value);
    any = true;
  }
  return any ? fromNanos(total) : null;
}

export function subtractMoney(a: string | null, b: string | null): string | null {
  return a === null || b === null ? null : fromNanos(toNanos(a) - toNanos(b));
}
