/**
 * The read commands of the CLI. Each takes parsed flags and a reader, and returns what to print:
 * a value for `--json`, or text for people.
 */
import type { LlmTrace, LlmTraceReader, LlmTraceSummary, OtelTraceReader, TraceSpan, UsageGroupBy, UsageStats } from '../reader/index.js';
import { parseDateText } from '../reader/date-text.js';
import { formatSpanTree } from '../format/span-tree.js';
import { formatTable, type Column } from '../format/table.js';
import { CliArgumentError, CliError } from './connect.js';

export interface Output {
  json: unknown;
  text: string;
}

export interface Readers {
  llm: LlmTraceReader;
  otel: OtelTraceReader;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `24h`, `7d`, `2w` before now. */
export function parseSince(value: string, now = Date.now()): Date {
  const match = /^(\d+)([mhdw])$/.exec(value.trim());
  if (!match) throw new CliArgumentError(`--since '${value}' is not a duration; use a number and a unit: 30m, 24h, 7d or 2w.`);
  return new Date(now - Number(match[1]) * UNITS[match[2]!]!);
}

export function parseDate(flag: string, value: string): Date {
  const date = parseDateText(value);
  if (!date)
    throw new CliArgumentError(`${flag} '${value.slice(0, 80)}' is not a date; use ISO 8601, e.g. 2026-11-20 or 2026-11-20T10:00:00Z.`);
  return date;
}

export function parseLimit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliArgumentError(`--limit '${value}' must be a whole number of at least 1.`);
  return n;
}

const STATS_COLUMNS: Column<UsageStats>[] = [
  { header: 'key', value: (s) => s.key || '(none)' },
  { header: 'calls', value: (s) => s.requestCount },
  { header: 'errors', value: (s) => s.errorCount },
  { header: 'prompt tokens', value: (s) => s.promptTokens },
  { header: 'cached', value: (s) => s.cachedInputTokens },
  { header: 'completion', value: (s) => s.completionTokens },
  { header: 'reasoning', value: (s) => s.reasoningTokens },
  { header: 'avg ms', value: (s) => Math.round(s.avgLatencyMs) },
  { header: 'p95 ms', value: (s) => Math.round(s.p95LatencyMs) },
  { header: 'request bytes', value: (s) => s.requestSizeBytes },
  { header: 'cost $', value: (s) => (s.costUsd === null ? null : usd(s.costUsd)) },
  { header: 'unpriced', value: (s) => s.requestCount - s.pricedRequestCount },
];

/** Dollars for a table: 4 significant decimals below a cent, 2 above. */
function usd(decimal: string): string {
  const value = Number(decimal);
  return value !== 0 && value < 0.01 ? value.toPrecision(2) : value.toFixed(2);
}

export async function stats(readers: Readers, groupBy: UsageGroupBy, start: Date | undefined, end: Date | undefined): Promise<Output> {
  const rows = await readers.llm.getUsageStats({ groupBy, start, end });
  const columns = [{ ...STATS_COLUMNS[0]!, header: groupBy }, ...STATS_COLUMNS.slice(1)];
  return { json: rows, text: rows.length === 0 ? 'No LLM calls in this range.' : formatTable(rows, columns) };
}

const LIST_COLUMNS: Column<LlmTraceSummary>[] = [
  { header: 'created (UTC)', value: (c) => c.createdAt.toISOString().replace('T', ' ').slice(0, 19) },
  { header: 'id', value: (c) => c.id },
  { header: 'agent', value: (c) => c.agentId || '-' },
  { header: 'type', value: (c) => c.callType || '-' },
  { header: 'model', value: (c) => c.model || '-' },
  { header: 'prompt', value: (c) => (c.hasUsage ? c.promptTokens : null) },
  { header: 'completion', value: (c) => (c.hasUsage ? c.completionTokens : null) },
  { header: 'ms', value: (c) => c.latencyMs },
  { header: 'cost $', value: (c) => (c.costUsd === null ? null : usd(c.costUsd)) },
  { header: 'error', value: (c) => (c.isError ? c.errorType || 'error' : '') },
];

export async function list(
  readers: Readers,
  filters: { agentId?: string; callType?: string; errorsOnly: boolean; limit: number; start?: Date; end?: Date },
): Promise<Output> {
  const rows = await readers.llm.list({
    agentId: filters.agentId,
    callType: filters.callType,
    isError: filters.errorsOnly ? true : undefined,
    limit: filters.limit,
    start: filters.start,
    end: filters.end,
  });
  return { json: rows, text: rows.length === 0 ? 'No LLM calls match.' : formatTable(rows, LIST_COLUMNS) };
}

export async function show(readers: Readers, id: string): Promise<Output> {
  const call = await readers.llm.getById(id);
  if (!call) throw new CliError(`No LLM call with id '${id}' in this organization.`);
  return { json: call, text: describeCall(call) };
}

function describeCall(call: LlmTrace): string {
  const lines: string[] = [];
  const payloads: Array<[string, string]> = [
    ['requestJson', call.requestJson],
    ['responseJson', call.responseJson],
    ['llmConfigJson', call.llmConfigJson],
  ];
  const width = Math.max(...Object.keys(call).map((key) => key.length));
  for (const [key, value] of Object.entries(call)) {
    if (payloads.some(([name]) => name === key)) continue;
    lines.push(`${key.padEnd(width)}  ${renderValue(value)}`);
  }
  for (const [name, text] of payloads) {
    lines.push('', `${name}:`, text === '' ? '  (empty)' : indent(prettyJson(text)));
  }
  return lines.join('\n');
}

function renderValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value === null) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

export async function traceTree(
  readers: Readers,
  target: { traceId?: string; runId?: string },
  uiSpansOnly: boolean,
  limit: number,
): Promise<Output> {
  let traceId = target.traceId;
  let spans: TraceSpan[];
  if (target.runId !== undefined) {
    const run = await readers.otel.getRunTrace(target.runId, { uiSpansOnly, limit });
    if (!run) throw new CliError(`No run '${target.runId}' in this organization.`);
    traceId = run.traceId;
    spans = run.spans;
  } else {
    spans = await readers.otel.getTraceSpans(traceId!, { uiSpansOnly, limit });
    if (spans.length === 0) throw new CliError(`No spans for trace '${traceId}'.`);
  }
  const calls = await readers.llm.list({ traceId, limit: 1000 });
  const notes = new Map(calls.map((c) => [c.spanId, annotate(c)]));
  return { json: { traceId, spans, llmCalls: calls }, text: [`trace ${traceId}`, '', ...formatSpanTree(spans, notes)].join('\n') };
}

function annotate(call: LlmTraceSummary): string {
  const tokens = call.hasUsage ? `${call.promptTokens} in / ${call.completionTokens} out` : 'no usage reported';
  const error = call.isError ? `, ${call.errorType || 'error'}` : '';
  return `[${call.model || call.requestModel || 'unknown model'}: ${tokens}, ${call.latencyMs}ms${error}]`;
}
