/**
 * Exact money arithmetic. Amounts are integer nano-dollars (1e-9 USD, the unit of ClickHouse
 * `Decimal(18, 9)`) held in BigInt, so rates like $0.075 / MTok and sums of components never pick
 * up binary floating-point error.
 */

const NANOS_PER_USD = 1_000_000_000n;
const TOKENS_PER_MILLION = 1_000_000n;
const FRACTION_DIGITS = 9;
// Rates are USD per million tokens; anything near this is a unit mistake, not a price.
const MAX_RATE = 1_000_000;

/**
 * A USD-per-million-tokens rate as nano-dollars per million tokens. Throws a RangeError (message
 * without a subject, the caller names the field) unless the rate is a finite number in
 * [0, 1e6) with at most 9 decimal places.
 */
export function rateToNanos(rate: number): bigint {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate >= MAX_RATE) {
    throw new RangeError(`must be a number of USD per million tokens in [0, ${MAX_RATE}), got ${JSON.stringify(rate)}`);
  }
  // toFixed(9) is the exact decimal expansion rounded to 9 places; a rate written with more
  // places would not survive the round trip.
  const fixed = rate.toFixed(FRACTION_DIGITS);
  if (Number(fixed) !== rate) {
    throw new RangeError(`must have at most ${FRACTION_DIGITS} decimal places, got ${rate}`);
  }
  return BigInt(fixed.replace('.', ''));
}

/** Cost of `tokens` at `rateNanos` (nano-dollars per million tokens), rounded half up to a nano-dollar. */
export function costNanos(tokens: number, rateNanos: bigint): bigint {
  const exact = BigInt(tokens) * rateNanos;
  return (exact + TOKENS_PER_MILLION / 2n) / TOKENS_PER_MILLION;
}

/** `12500000` -> `"0.0125"`: a decimal string with at most 9 fractional digits, no trailing zeros. */
export function formatUsd(nanos: bigint): string {
  const whole = nanos / NANOS_PER_USD;
  const fraction = (nanos % NANOS_PER_USD).toString().padStart(FRACTION_DIGITS, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

/** `"-0.0125"` -> `-12500000n`: a decimal string of USD (as ClickHouse prints Decimal) to nano-dollars. */
export function parseUsd(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!match)
    throw new RangeError(`not a decimal amount of USD with at most ${FRACTION_DIGITS} fractional digits: ${JSON.stringify(text)}`);
  const nanos = BigInt(match[2]!) * NANOS_PER_USD + BigInt((match[3] ?? '').padEnd(FRACTION_DIGITS, '0'));
  return match[1] ? -nanos : nanos;
}

/** Like `formatUsd`, for amounts that may be negative (differences). */
export function formatSignedUsd(nanos: bigint): string {
  return nanos < 0n ? `-${formatUsd(-nanos)}` : formatUsd(nanos);
}

/** A non-negative decimal that fits `Decimal(18, 9)`: up to 9 integer and 9 fractional digits. */
export function isUsdDecimal(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,9}(\.\d{1,9})?$/.test(value);
}

/**
 * A decimal string of USD for people: cents from $1 up (`1,234.57`), three significant digits
 * below (`0.0153`, `0.000412`), so a small cost is never shown as `0.02` or `0.00`.
 */
export function displayUsd(decimal: string): string {
  const value = Number(decimal);
  if (value === 0) return '0';
  return Math.abs(value) >= 1
    ? value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}
