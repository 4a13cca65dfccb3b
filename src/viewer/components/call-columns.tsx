/** The columns of a list of LLM calls, shared by Calls, Run, Top and Errors. */
import type { CallSummary } from '../../server/viewer-api/types.js';
import { formatInt, formatMs, formatTime, formatTimestamp, middleCut } from '../format.js';
import { href, runHref } from '../router.js';
import { Cost, Status } from './ui.js';
import type { Column } from './table.js';

const tokens = (value: number | null, hasUsage: boolean) =>
  hasUsage ? (
    formatInt(value)
  ) : (
    <span class="muted" title="the provider reported no usage">
      n/a
    </span>
  );

/** Column keys: time, agent, run, call_type, provider, model, tokens, cached, completion, reasoning, cost, latency, ttft, status. */
export function callColumns(options: { now?: Date; omit?: readonly string[] } = {}): Column<CallSummary>[] {
  const now = options.now ?? new Date();
  const columns: Column<CallSummary>[] = [
    {
      key: 'time',
      label: 'Time',
      width: '8.5em',
      cell: (c) => (
        <span title={formatTimestamp(c.time)} class="mono">
          {formatTime(c.time, now)}
        </span>
      ),
    },
    {
      key: 'agent',
      label: 'Agent',
      cell: (c) =>
        c.agent_id ? (
          <a href={href('/calls', { agent_id: c.agent_id })} title={`calls of agent ${c.agent_id}`} class="plain">
            {c.agent_id}
          </a>
        ) : (
          <span class="muted">—</span>
        ),
    },
    {
      key: 'run',
      label: 'Run',
      cell: (c) =>
        c.run_id ? (
          <a href={runHref(c.run_id)} title={c.run_id} class="plain mono">
            {middleCut(c.run_id)}
          </a>
        ) : (
          <span class="muted">—</span>
        ),
    },
    { key: 'call_type', label: 'Type', cell: (c) => c.call_type || <span class="muted">—</span> },
    { key: 'provider', label: 'Provider', cell: (c) => c.provider || <span class="muted">—</span> },
    {
      key: 'model',
      label: 'Model',
      cell: (c) => (
        <span title={c.request_model && c.request_model !== c.model ? `requested ${c.request_model}` : undefined}>
          {c.model || c.request_model || <span class="muted">—</span>}
        </span>
      ),
    },
    {
      key: 'tokens',
      label: 'Prompt',
      title: 'prompt tokens, cached and cache writes included',
      numeric: true,
      cell: (c) => tokens(c.prompt_tokens, c.has_usage),
    },
    {
      key: 'cached',
      label: 'Cached',
      title: 'cache reads (part of the prompt)',
      numeric: true,
      cell: (c) => (c.has_usage ? formatInt(c.cached_input_tokens) : ''),
    },
    {
      key: 'completion',
      label: 'Compl.',
      title: 'completion tokens, reasoning included',
      numeric: true,
      cell: (c) => tokens(c.completion_tokens, c.has_usage),
    },
    {
      key: 'reasoning',
      label: 'Reas.',
      title: 'reasoning tokens (part of the completion)',
      numeric: true,
      cell: (c) => (c.has_usage ? formatInt(c.reasoning_tokens) : ''),
    },
    { key: 'cost', label: 'Cost', numeric: true, cell: (c) => <Cost value={c.cost_usd} priced={c.priced} usage={c.has_usage} /> },
    { key: 'latency', label: 'Latency', numeric: true, cell: (c) => formatMs(c.latency_ms) },
    { key: 'ttft', label: 'TTFT', title: 'time to first token', numeric: true, cell: (c) => formatMs(c.ttft_ms) },
    {
      key: 'status',
      label: 'Status',
      // The HTTP status when there is one (short), the error type in the title.
      cell: (c) => <Status error={c.is_error} type={c.status_code === null ? c.error_type : String(c.status_code)} title={c.error_type} />,
    },
  ];
  return options.omit ? columns.filter((c) => !options.omit!.includes(c.key)) : columns;
}

/** The search snippet with every occurrence of the query marked. */
export function Snippet({ text, query }: { text: string; query: string }) {
  const needle = query.trim().toLowerCase();
  if (!needle) return <span class="snippet">{text}</span>;
  const parts = [];
  const lower = text.toLowerCase();
  let at = 0;
  for (let hit = lower.indexOf(needle); hit !== -1; hit = lower.indexOf(needle, at)) {
    parts.push(text.slice(at, hit), <mark key={hit}>{text.slice(hit, hit + needle.length)}</mark>);
    at = hit + needle.length;
  }
  parts.push(text.slice(at));
  return <span class="snippet">…{parts}…</span>;
}
