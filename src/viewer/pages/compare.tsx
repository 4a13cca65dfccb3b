/**
 * Two calls, traces or runs side by side: token, cost and latency deltas; for calls a line diff
 * of the prompts and the responses, for traces the spans aligned by name path, for runs the
 * steps aligned by order.
 */
import { useMemo, useState } from 'preact/hooks';
import { useApi } from '../api.js';
import type {
  CallComparison,
  CallDetail,
  CallPage,
  CallSummary,
  Comparison,
  RunComparison,
  RunPage,
  TraceComparison,
} from '../../server/viewer-api/types.js';
import { Cost, ErrorView, PageHead, Section, Skeleton } from '../components/ui.js';
import { VirtualList } from '../components/virtual-list.js';
import { conversationText, requestConversation, responseConversation } from '../conversation.js';
import { diffLines, type DiffLine } from '../diff.js';
import { formatCost, formatDelta, formatInt, formatMs, formatNs, formatTime, middleCut, shortId, UNKNOWN } from '../format.js';
import { subtractMoney } from '../money.js';
import { callHref, href, navigate, runHref, traceHref, withParams, type Route } from '../router.js';

type Kind = 'call' | 'trace' | 'run';
const KINDS: Kind[] = ['call', 'trace', 'run'];

export default function ComparePage({ route }: { route: Route }) {
  const { params } = route;
  const kind = (KINDS.includes(params.get('kind') as Kind) ? params.get('kind') : 'call') as Kind;
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const result = useApi<Comparison>(a && b ? 'compare' : null, { kind, a, b });
  const set = (changes: Record<string, string | null>) => navigate(href('/compare', withParams(params, changes)));
  return (
    <div class="page compare-page">
      <PageHead title="Compare" sub="two calls, traces or runs side by side" />
      <CompareForm kind={kind} a={a} b={b} params={params} onSubmit={set} />
      {result.error && <ErrorView error={result.error} retry={result.reload} />}
      {a && b && !result.data && !result.error && <Skeleton rows={12} />}
      {result.data?.kind === 'call' && <CallCompare c={result.data} />}
      {result.data?.kind === 'trace' && <TraceCompare c={result.data} />}
      {result.data?.kind === 'run' && <RunCompare c={result.data} />}
    </div>
  );
}

function CompareForm({
  kind,
  a,
  b,
  params,
  onSubmit,
}: {
  kind: Kind;
  a: string;
  b: string;
  params: URLSearchParams;
  onSubmit(changes: Record<string, string | null>): void;
}) {
  const [left, setLeft] = useState(a);
  const [right, setRight] = useState(b);
  // Candidates for the missing side: the other calls of the run, the agent's other runs.
  const runId = params.get('run');
  const agent = params.get('agent');
  const window = useMemo(() => ({ start: new Date(Date.now() - 30 * 86_400_000).toISOString(), end: new Date().toISOString() }), []);
  const calls = useApi<CallPage>(kind === 'call' && !b ? 'calls' : null, { ...window, run_id: runId, limit: 20 });
  const runs = useApi<RunPage>(kind === 'run' && !b ? 'runs' : null, { ...window, agent_id: agent, sort: 'last_seen', limit: 20 });
  const candidates: Array<[string, string]> =
    kind === 'call'
      ? (calls.data?.items ?? [])
          .filter((c) => c.id !== left)
          .map((c) => [c.id, `${formatTime(c.time)} · ${c.model} · ${formatInt(c.prompt_tokens)} tok · ${formatCost(c.cost_usd)}`])
      : kind === 'run'
        ? (runs.data?.items ?? [])
            .filter((r) => r.run_id !== left)
            .map((r) => [r.run_id, `${formatTime(r.last_seen)} · ${formatInt(r.calls)} calls · ${formatCost(r.cost_usd)}`])
        : [];
  return (
    <form
      class="compare-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({ a: left.trim(), b: right.trim() });
      }}
    >
      <div class="seg-group">
        {KINDS.map((k) => (
          <button key={k} type="button" class={`seg${k === kind ? ' on' : ''}`} onClick={() => onSubmit({ kind: k, a: null, b: null })}>
            {k === 'call' ? 'Calls' : k === 'trace' ? 'Traces' : 'Runs'}
          </button>
        ))}
      </div>
      <input
        aria-label="A"
        placeholder={`${kind} id A`}
        value={left}
        onInput={(e) => setLeft((e.target as HTMLInputElement).value)}
        class="id-input"
      />
      <input
        aria-label="B"
        placeholder={`${kind} id B`}
        value={right}
        onInput={(e) => setRight((e.target as HTMLInputElement).value)}
        class="id-input"
        list="compare-candidates"
      />
      <datalist id="compare-candidates">
        {candidates.map(([id, label]) => (
          <option key={id} value={id}>
            {label}
          </option>
        ))}
      </datalist>
      <button type="submit" class="primary" disabled={!left.trim() || !right.trim()}>
        Compare
      </button>
    </form>
  );
}

interface Metric {
  label: string;
  a: number | null;
  b: number | null;
  format(value: number): string;
}

function DeltaTable({
  a,
  b,
  metrics,
  cost,
}: {
  a: preact.ComponentChildren;
  b: preact.ComponentChildren;
  metrics: Metric[];
  cost: [string | null, string | null];
}) {
  const costDelta = subtractMoney(cost[1], cost[0]);
  return (
    <table class="data delta-table">
      <thead>
        <tr>
          <th />
          <th class="num">A {a}</th>
          <th class="num">B {b}</th>
          <th class="num">B − A</th>
        </tr>
      </thead>
      <tbody>
        <tr data-delta="cost">
          <td>Cost</td>
          <td class="num">
            <Cost value={cost[0]} />
          </td>
          <td class="num">
            <Cost value={cost[1]} />
          </td>
          <td class={`num ${deltaTone(costDelta === null ? null : Number(costDelta))}`}>
            {costDelta === null ? UNKNOWN : formatDelta(Number(costDelta), (v) => formatCost(String(v)))}
          </td>
        </tr>
        {metrics.map((m) => {
          const delta = m.a === null || m.b === null ? null : m.b - m.a;
          return (
            <tr key={m.label} data-delta={m.label}>
              <td>{m.label}</td>
              <td class="num">{m.a === null ? UNKNOWN : m.format(m.a)}</td>
              <td class="num">{m.b === null ? UNKNOWN : m.format(m.b)}</td>
              <td class={`num ${deltaTone(delta)}`}>{formatDelta(delta, m.format)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const deltaTone = (delta: number | null) => (delta === null || delta === 0 ? '' : delta > 0 ? 'up' : 'down');

function callMetrics(a: CallDetail, b: CallDetail): Metric[] {
  return [
    { label: 'Prompt tokens', a: a.prompt_tokens, b: b.prompt_tokens, format: formatInt },
    { label: 'Cached tokens', a: a.cached_input_tokens, b: b.cached_input_tokens, format: formatInt },
    { label: 'Completion tokens', a: a.completion_tokens, b: b.completion_tokens, format: formatInt },
    { label: 'Total tokens', a: a.total_tokens, b: b.total_tokens, format: formatInt },
    { label: 'Latency', a: a.latency_ms, b: b.latency_ms, format: formatMs },
    { label: 'TTFT', a: a.ttft_ms, b: b.ttft_ms, format: formatMs },
  ];
}

function CallCompare({ c }: { c: CallComparison }) {
  const texts = useMemo(() => {
    const request = (json: string) => conversationText(requestConversation(json)) || json;
    const response = (json: string) => conversationText(responseConversation(json)) || json;
    return {
      request: diffLines(request(c.payloads.a.request.json), request(c.payloads.b.request.json)),
      response: diffLines(response(c.payloads.a.response.json), response(c.payloads.b.response.json)),
    };
  }, [c]);
  const label = (d: CallDetail) => (
    <a href={callHref(d.id)} class="mono">
      {d.model} · {shortId(d.id)}
    </a>
  );
  return (
    <>
      <Section title="Deltas">
        <DeltaTable a={label(c.a)} b={label(c.b)} metrics={callMetrics(c.a, c.b)} cost={[c.a.cost_usd, c.b.cost_usd]} />
      </Section>
      <Section title={<DiffTitle title="Prompt" lines={texts.request} />}>
        <DiffView lines={texts.request} label="request" />
      </Section>
      <Section title={<DiffTitle title="Response" lines={texts.response} />}>
        <DiffView lines={texts.response} label="response" />
      </Section>
    </>
  );
}

function DiffTitle({ title, lines }: { title: string; lines: DiffLine[] }) {
  const added = lines.filter((l) => l.op === 'add').length;
  const removed = lines.filter((l) => l.op === 'del').length;
  return (
    <span>
      {title} <span class="added">+{formatInt(added)}</span> <span class="removed">−{formatInt(removed)}</span>{' '}
      <span class="muted">lines</span>
    </span>
  );
}

const MAX_DIFF_CHARS = 600;

function DiffView({ lines, label }: { lines: DiffLine[]; label: string }) {
  const [context, setContext] = useState(true);
  // Runs of unchanged lines far from a change fold into one marker row.
  const rows = useMemo(() => (context ? foldUnchanged(lines, 3) : lines.map((line) => ({ line, skipped: 0 }))), [lines, context]);
  if (lines.length === 0) return <p class="muted">Both empty.</p>;
  if (!lines.some((l) => l.op !== 'same')) return <p class="muted">Identical ({formatInt(lines.length)} lines).</p>;
  return (
    <div class="diff" data-diff={label}>
      <label class="small">
        <input type="checkbox" checked={!context} onChange={() => setContext(!context)} /> show unchanged lines
      </label>
      <VirtualList
        count={rows.length}
        rowHeight={18}
        height={460}
        label={`${label} diff`}
        row={(i) => {
          const { line, skipped } = rows[i]!;
          if (skipped > 0) return <div class="diff-line skip">⋯ {formatInt(skipped)} unchanged lines</div>;
          return (
            <div class={`diff-line ${line.op}`} data-op={line.op}>
              <span class="diff-mark">{line.op === 'add' ? '+' : line.op === 'del' ? '−' : ' '}</span>
              {line.text.length > MAX_DIFF_CHARS
                ? `${line.text.slice(0, MAX_DIFF_CHARS)}… (${formatInt(line.text.length)} chars)`
                : line.text}
            </div>
          );
        }}
      />
    </div>
  );
}

function foldUnchanged(lines: DiffLine[], keep: number): Array<{ line: DiffLine; skipped: number }> {
  const near = new Uint8Array(lines.length);
  lines.forEach((line, i) => {
    if (line.op === 'same') return;
    for (let j = Math.max(0, i - keep); j <= Math.min(lines.length - 1, i + keep); j += 1) near[j] = 1;
  });
  const out: Array<{ line: DiffLine; skipped: number }> = [];
  let skipped = 0;
  lines.forEach((line, i) => {
    if (near[i]) {
      if (skipped) out.push({ line, skipped });
      skipped = 0;
      out.push({ line, skipped: 0 });
    } else skipped += 1;
  });
  if (skipped) out.push({ line: lines[lines.length - 1]!, skipped });
  return out;
}

function TraceCompare({ c }: { c: TraceComparison }) {
  return (
    <>
      <Section title="Deltas">
        <DeltaTable
          a={
            <a href={traceHref(c.a.trace_id)} class="mono">
              {shortId(c.a.trace_id, 12)}
            </a>
          }
          b={
            <a href={traceHref(c.b.trace_id)} class="mono">
              {shortId(c.b.trace_id, 12)}
            </a>
          }
          cost={[c.a.totals.cost_usd, c.b.totals.cost_usd]}
          metrics={[
            { label: 'Duration', a: c.a.duration_ms, b: c.b.duration_ms, format: formatMs },
            { label: 'Spans', a: c.a.span_count, b: c.b.span_count, format: formatInt },
            { label: 'LLM calls', a: c.a.totals.calls, b: c.b.totals.calls, format: formatInt },
            { label: 'Tokens', a: c.a.totals.tokens, b: c.b.totals.tokens, format: formatInt },
          ]}
        />
      </Section>
      <Section title={`Spans aligned by name path (${c.aligned.length})`}>
        <div class="table-wrap">
          <table class="data aligned">
            <thead>
              <tr>
                <th>Name path</th>
                <th class="num">A</th>
                <th class="num">B</th>
                <th class="num">B − A</th>
                <th>LLM</th>
              </tr>
            </thead>
            <tbody>
              {c.aligned.map((row, i) => {
                const delta = row.duration_delta_ns === null ? null : Number(row.duration_delta_ns);
                return (
                  <tr key={i} class={!row.a ? 'only-b' : !row.b ? 'only-a' : ''} data-path={row.path}>
                    <td class="path" title={row.path}>
                      {row.path}
                    </td>
                    <td class="num">
                      {row.a ? (
                        <a href={traceHref(c.a.trace_id, row.a.span_id)}>{formatNs(row.a.duration_ns)}</a>
                      ) : (
                        <span class="muted">absent</span>
                      )}
                    </td>
                    <td class="num">
                      {row.b ? (
                        <a href={traceHref(c.b.trace_id, row.b.span_id)}>{formatNs(row.b.duration_ns)}</a>
                      ) : (
                        <span class="muted">absent</span>
                      )}
                    </td>
                    <td class={`num ${deltaTone(delta)}`}>{formatDelta(delta, formatNs)}</td>
                    <td class="muted">{[row.a?.llm?.model, row.b?.llm?.model].filter(Boolean).join(' → ')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}

function RunCompare({ c }: { c: RunComparison }) {
  return (
    <>
      <Section title="Deltas">
        <DeltaTable
          a={
            <a href={runHref(c.a.run_id)} class="mono">
              {middleCut(c.a.run_id)}
            </a>
          }
          b={
            <a href={runHref(c.b.run_id)} class="mono">
              {middleCut(c.b.run_id)}
            </a>
          }
          cost={[c.a.totals.cost_usd, c.b.totals.cost_usd]}
          metrics={[
            { label: 'Calls', a: c.a.totals.calls, b: c.b.totals.calls, format: formatInt },
            { label: 'Prompt tokens', a: c.a.totals.prompt_tokens, b: c.b.totals.prompt_tokens, format: formatInt },
            { label: 'Completion tokens', a: c.a.totals.completion_tokens, b: c.b.totals.completion_tokens, format: formatInt },
            { label: 'Errors', a: c.a.totals.errors, b: c.b.totals.errors, format: formatInt },
          ]}
        />
      </Section>
      <Section title="Steps aligned by order">
        <table class="data aligned">
          <thead>
            <tr>
              <th>#</th>
              <th>A</th>
              <th class="num">Prompt</th>
              <th class="num">Cost</th>
              <th>B</th>
              <th class="num">Prompt</th>
              <th class="num">Cost</th>
              <th class="num">Δ prompt</th>
            </tr>
          </thead>
          <tbody>
            {c.steps.map((row) => {
              const delta =
                row.a && row.b && row.a.prompt_tokens !== null && row.b.prompt_tokens !== null
                  ? row.b.prompt_tokens - row.a.prompt_tokens
                  : null;
              const side = (call: CallSummary | null) =>
                call
                  ? [
                      <td key="m">
                        <a href={callHref(call.id)}>{call.model}</a>
                      </td>,
                      <td key="p" class="num">
                        {formatInt(call.prompt_tokens)}
                      </td>,
                      <td key="c" class="num">
                        <Cost value={call.cost_usd} priced={call.priced} />
                      </td>,
                    ]
                  : [
                      <td key="m" class="muted">
                        absent
                      </td>,
                      <td key="p" />,
                      <td key="c" />,
                    ];
              return (
                <tr key={row.index}>
                  <td>{row.index + 1}</td>
                  {side(row.a)}
                  {side(row.b)}
                  <td class={`num ${deltaTone(delta)}`}>{formatDelta(delta, formatInt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
    </>
  );
}
