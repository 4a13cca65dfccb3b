/**
 * The read commands of the CLI. Each takes parsed flags and a reader, and returns what to print:
 * a value for `--json`, or text for people.
 */
import type {
  CallSums,
  ListCallsOptions,
  LlmTrace,
  LlmTraceReader,
  LlmTraceSummary,
  OtelTraceReader,
  TraceSpan,
  UsageGroupBy,
  UsageStats,
} from '../reader/index.js';
import { displayUsd } from '../pricing/money.js';
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
  { header: 'cost $', value: (s) => usd(s.costUsd), alignRight: true },
  { header: 'unpriced', value: (s) => s.requestCount - s.pricedRequestCount },
];

function usd(decimal: string | null): string | null {
  return decimal === null ? null : displayUsd(decimal);
}

export async function stats(readers: Readers, groupBy: UsageGroupBy, start: Date | undefined, end: Date | undefined): Promise<Output> {
  const rows = await readers.llm.getUsageStats({ groupBy, start, end });
  const columns = [{ ...STATS_COLUMNS[0]!, header: groupBy }, ...STATS_COLUMNS.slice(1)];
  return { json: rows, text: rows.length === 0 ? 'No LLM calls in this range.' : formatTable(rows, columns) };
}

const LIST_COLUMNS: Column<LlmTraceSummary>[] = [
  { header: 'created (UTC)', value: (c) => c.createdAt.toISOString().replace('T', ' ').slice(0, 19) },
  { header: 'id', value: (c) => c.id },
  { header: 'trace', value: (c) => c.traceId || '-' },
  { header: 'agent', value: (c) => c.agentId || '-' },
  { header: 'type', value: (c) => c.callType || '-' },
  { header: 'model', value: (c) => c.model || '-' },
  { header: 'prompt', value: (c) => (c.hasUsage ? c.promptTokens : null) },
  { header: 'completion', value: (c) => (c.hasUsage ? c.completionTokens : null) },
  { header: 'ms', value: (c) => c.latencyMs },
  { header: 'cost $', value: (c) => usd(c.costUsd), alignRight: true },
  { header: 'error', value: (c) => (c.isError ? c.errorType || 'error' : '') },
];

export async function list(readers: Readers, filters: ListCallsOptions): Promise<Output> {
  const rows = await readers.llm.list(filters);
  return { json: rows, text: rows.length === 0 ? 'No LLM calls match.' : formatTable(rows, LIST_COLUMNS) };
}

export async function show(readers: Readers, id: string): Promise<Output> {
  const [call, detail] = await Promise.all([readers.llm.getById(id), readers.llm.getCallDetail(id)]);
  if (!call) throw new CliError(`No LLM call with id '${id}' in this organization.`);
  const responseAssembled = detail?.responseAssembled ?? false;
  return { json: { ...call, responseAssembled }, text: describeCall(call, responseAssembled) };
}

/** `responseAssembled`: the stored response is the neutral document built from span attributes. */
function describeCall(call: LlmTrace, responseAssembled: boolean): string {
  const lines: string[] = [];
  const payloads: Array<[string, string]> = [
    ['requestJson', call.requestJson],
    [
      responseAssembled ? "responseJson (assembled by llm-traces from span attributes, not the provider's raw response)" : 'responseJson',
      call.responseJson,
    ],
    ['llmConfigJson', call.llmConfigJson],
  ];
  const width = Math.max(...Object.keys(call).map((key) => key.length));
  for (const [key, value] of Object.entries(call)) {
    if (key === 'requestJson' || key === 'responseJson' || key === 'llmConfigJson') continue;
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
  if (target.runId !== undefined) return runTree(readers, target.runId, uiSpansOnly, limit);
  const traceId = target.traceId!;
  const spans = await readers.otel.getTraceSpans(traceId, { uiSpansOnly, limit });
  if (spans.length === 0) throw new CliError(`No spans for trace '${traceId}'.`);
  const calls = await readers.llm.list({ traceId, limit: 1000 });
  return {
    json: { traceId, spans, llmCalls: calls },
    text: [`trace ${traceId}`, '', ...formatSpanTree(spans, annotations(calls))].join('\n'),
  };
}

/** Every trace of the run, in the order the run reached them, under the run's totals. */
async function runTree(readers: Readers, runId: string, uiSpansOnly: boolean, limit: number): Promise<Output> {
  const run = await readers.otel.getRunTrace(runId, { uiSpansOnly, limit });
  if (!run) throw new CliError(`No run '${runId}' in this organization.`);
  const calls = await readers.llm.list({ runId, limit: 1000 });
  const notes = annotations(calls);
  const byTrace = new Map<string, TraceSpan[]>();
  for (const span of run.spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const lines = [`run ${runId}  ${describeSums(run.totals)} in ${count(run.traces.length, 'trace')}`];
  for (const trace of run.traces) {
    lines.push('', `trace ${trace.traceId || '(calls without a trace id)'}  ${describeSums(trace)}`);
    const spans = byTrace.get(trace.traceId) ?? [];
    if (spans.length > 0) lines.push(...formatSpanTree(spans, notes));
    else if (trace.traceId !== '') lines.push(run.truncated ? `(not shown: past --limit ${limit})` : '(no spans stored)');
  }
  if (run.truncated) lines.push('', `Only the first ${limit} spans are shown; raise --limit (up to 5000) for more.`);
  return { json: { ...run, llmCalls: calls }, text: lines.join('\n') };
}

function describeSums(sums: CallSums): string {
  const errors = sums.errors > 0 ? ` (${count(sums.errors, 'error')})` : '';
  const cost = sums.costUsd === null ? 'cost unknown' : `$${displayUsd(sums.costUsd)}`;
  const unpriced = sums.costUsd !== null && sums.unpricedCalls > 0 ? ` + ${sums.unpricedCalls} unpriced` : '';
  return `${count(sums.calls, 'LLM call')}${errors}, ${sums.promptTokens} in / ${sums.completionTokens} out tokens, ${cost}${unpriced}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function annotations(calls: readonly LlmTraceSummary[]): Map<string, string> {
  return new Map(calls.map((c) => [c.spanId, annotate(c)]));
}

function annotate(call: LlmTraceSummary): string {
  const tokens = call.hasUsage ? `${call.promptTokens} in / ${call.completionTokens} out` : 'no usage reported';
  const error = call.isError ? `, ${call.errorType || 'error'}` : '';
  return `[${call.model || call.requestModel || 'unknown model'}: ${tokens}, ${call.latencyMs}ms${error}]`;
}
