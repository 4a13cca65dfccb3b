/**
 * The whole filtered set of calls as CSV or JSONL, streamed: read in keyset pages oldest first
 * (memory stays at one page whatever the set's size), each page written as soon as it is read,
 * with the socket's backpressure respected. A client that goes away stops the reads.
 */
import type { ServerResponse } from 'node:http';
import { resolveWindow, type CallFilterOptions } from '../../reader/call-filter.js';
import type { LlmTraceReader } from '../../reader/llm-trace-reader.js';
import type { CallCursor } from '../../reader/call-list.js';
import type * as Wire from './types.js';
import { toCallSummary } from './wire.js';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const satisfies readonly Wire.ExportFormat[];

/** Calls read per query while exporting. */
export const EXPORT_PAGE_SIZE = 5000;

/** The CSV columns, in order: every CallSummary field (the compiler checks none is missing). */
const CSV_COLUMN_SET: Record<Exclude<keyof Wire.CallSummary, 'snippet'>, true> = {
  id: true,
  time: true,
  time_ns: true,
  trace_id: true,
  span_id: true,
  organization_id: true,
  agent_id: true,
  run_id: true,
  step_id: true,
  call_type: true,
  provider: true,
  model: true,
  request_model: true,
  prompt_tokens: true,
  cached_input_tokens: true,
  cache_write_tokens: true,
  completion_tokens: true,
  reasoning_tokens: true,
  total_tokens: true,
  has_usage: true,
  cost_usd: true,
  priced: true,
  latency_ms: true,
  ttft_ms: true,
  is_error: true,
  error_type: true,
  status_code: true,
  tags: true,
  request_size_bytes: true,
  response_size_bytes: true,
};
export const CSV_COLUMNS = Object.keys(CSV_COLUMN_SET) as Array<keyof typeof CSV_COLUMN_SET>;

export function exportHeaders(format: Wire.ExportFormat, window: { start: Date; end: Date }): Record<string, string> {
  const stamp = (date: Date) => date.toISOString().replace(/[:.]/g, '-');
  return {
    'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': `attachment; filename="llm-calls-${stamp(window.start)}-${stamp(window.end)}.${format}"`,
  };
}

/** Writes every matching call; resolves when done or when the client has gone. */
export async function writeExport(
  response: ServerResponse,
  llm: LlmTraceReader,
  filters: CallFilterOptions,
  format: Wire.ExportFormat,
  pageSize = EXPORT_PAGE_SIZE,
): Promise<number> {
  // One window for every page, so calls arriving meanwhile do not shift the set.
  const window = resolveWindow(filters);
  let written = 0;
  let after: CallCursor | undefined;
  if (format === 'csv') await write(response, `${CSV_COLUMNS.join(',')}\r\n`);
  for (;;) {
    if (response.destroyed) return written;
    const page = await llm.listCallPage({ ...filters, ...window, sort: 'time', order: 'asc', limit: pageSize, after });
    const lines = page.items.map((call) => {
      const summary = toCallSummary(call);
      return format === 'csv' ? `${CSV_COLUMNS.map((column) => csvField(summary[column])).join(',')}\r\n` : `${JSON.stringify(summary)}\n`;
    });
    if (lines.length > 0 && !(await write(response, lines.join('')))) return written;
    written += lines.length;
    if (!page.next) return written;
    after = page.next;
  }
}

/** False when the client went away before the chunk could be written. */
function write(response: ServerResponse, chunk: string): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  if (response.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    response.once('drain', onDrain);
    response.once('close', onClose);
  });
}

/**
 * RFC 4180 quoting; text a spreadsheet would run as a formula (leading = + - @, tab, CR) gets a
 * leading apostrophe (OWASP CSV injection), since ids and error messages come from the traced app.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = Array.isArray(value) ? value.join(';') : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
