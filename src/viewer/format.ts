/**
 * Number, money, time and size formatting for the viewer. Pure. Unknown values render as an em
 * dash, never as zero: a cost of null means "no known price", not "free".
 */
export const UNKNOWN = '—';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** USD from the API's exact decimal string: cents from $1 up, three significant digits (at least cents) below. */
export function formatCost(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return UNKNOWN;
  const n = Number(value);
  if (!Number.isFinite(n)) return UNKNOWN;
  if (n === 0) return '$0';
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  if (abs >= 1) return `${sign}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  // At least cents ("$0.50", not "$0.5"), as a price is read.
  const digits = trimZeros(abs.toPrecision(3)).replace(/^0$/, '0.');
  const [whole, fraction = ''] = digits.split('.');
  return `${sign}$${whole}.${fraction.padEnd(2, '0')}`;
}

/** A price per million tokens, as price lists print them: "$0.20", "$0.075", "$12.50". */
export function formatRate(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return UNKNOWN;
  const n = Number(value);
  if (!Number.isFinite(n)) return UNKNOWN;
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;
}

/** The decimal as stored, for titles and copying: "0.015300000" -> "$0.0153". */
export function exactCost(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return 'no known price';
  const [whole, fraction = ''] = value.split('.');
  const kept = fraction.replace(/0+$/, '');
  return `$${whole}${kept ? `.${kept}` : ''}`;
}

function trimZeros(text: string): string {
  if (text.includes('e')) return Number(text).toFixed(12).replace(/0+$/, '');
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

export function formatInt(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? UNKNOWN : integer.format(value);
}

/** 1234 -> 1.23k, 2_500_000 -> 2.5M: for chart axes and tight cells. */
export function formatCompact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return UNKNOWN;
  const abs = Math.abs(value);
  for (const [limit, suffix] of [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (abs >= limit) return `${trimZeros((value / limit).toPrecision(3))}${suffix}`;
  }
  return trimZeros(value.toPrecision(Math.min(3, Math.max(1, Math.ceil(Math.log10(abs + 1))))));
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return UNKNOWN;
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** Milliseconds: "850 ms", "1.23 s", "2 m 05 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return UNKNOWN;
  if (ms < 1) return `${trimZeros(ms.toFixed(2))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trimZeros((ms / 1000).toPrecision(3))} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes} m ${String(seconds).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

/**
 * A time-axis tick: round steps read without their zero parts ('1 m', not '1 m 00 s'), so the
 * labels stay as short as the steps between them and the last one does not run into its neighbour.
 */
export function formatTickNs(ns: number): string {
  if (ns === 0) return '0';
  const minute = 60e9;
  if (ns < minute || ns % 1e9 !== 0) return formatNs(ns);
  const seconds = (ns % minute) / 1e9;
  const minutes = Math.floor(ns / minute);
  if (minutes >= 60) return ns % (60 * minute) === 0 ? `${minutes / 60} h` : formatNs(ns);
  return seconds === 0 ? `${minutes} m` : `${minutes} m ${seconds} s`;
}

/** Span durations arrive as nanosecond strings; under a millisecond they keep microseconds. */
export function formatNs(ns: string | number): string {
  const value = Number(ns);
  if (!Number.isFinite(value)) return UNKNOWN;
  // Zero is an offset from the trace start more often than a span's length: in the unit people read.
  if (value === 0) return '0 ms';
  if (value < 1_000) return `${value} ns`;
  if (value < 1_000_000) return `${trimZeros((value / 1000).toPrecision(3))} µs`;
  return formatMs(value / 1e6);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return UNKNOWN;
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${trimZeros(value.toPrecision(3))} ${units[unit]}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local wall-clock time; the date only when it is not today (`now` is injectable for tests). */
export function formatTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === now.toDateString()) return time;
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day} ${time}`;
}

/** Full local timestamp with milliseconds and the zone offset, for titles. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const offset = -date.getTimezoneOffset();
  const zone = `${offset >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)} ${zone}`
  );
}

/** "3 min ago", for live lists. */
export function formatAgo(iso: string, now: Date = new Date()): string {
  const seconds = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 60) return `${Math.max(0, seconds)} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A short id for tables: the first 8 characters, the whole id in the title. */
export function shortId(id: string, length = 8): string {
  return id.length > length + 1 ? `${id.slice(0, length)}…` : id;
}

/**
 * A long readable id cut in the middle, so the distinguishing end survives: "run-anthropic-0002"
 * -> "run-anth…-0002". The whole id goes in the title.
 */
export function middleCut(id: string, length = 14): string {
  if (id.length <= length) return id;
  const tail = Math.floor((length - 1) / 2) - 1;
  return `${id.slice(0, length - 1 - tail)}…${id.slice(-tail)}`;
}

/** Signed delta with the formatter of its unit: "+1,200", "-$0.0031", "±0". */
export function formatDelta(value: number | null | undefined, format: (v: number) => string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return UNKNOWN;
  if (value === 0) return '±0';
  return `${value > 0 ? '+' : '-'}${format(Math.abs(value))}`;
}
