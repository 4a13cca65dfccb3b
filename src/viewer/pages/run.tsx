/**
 * A run: its totals, where its context grows (input tokens per step, cached against new), its
 * traces and its calls in order.
 */
import { useMemo } from 'preact/hooks';
import { useApi } from '../api.js';
import type { RunDetail } from '../../server/viewer-api/types.js';
import { callColumns } from '../components/call-columns.js';
import { Chart } from '../components/chart.js';
import { Table } from '../components/table.js';
import { Cost, ErrorView, PageHead, Section, Skeleton, Tiles } from '../components/ui.js';
import { formatCompact, formatInt, formatMs, formatPercent, formatTimestamp, shortId } from '../format.js';
import { callHref, href, traceHref, type Route } from '../router.js';

export default function RunPage({ route }: { route: Route }) {
  const run = useApi<RunDetail>(`runs/${encodeURIComponent(route.id)}`);
  if (run.error) return <ErrorView error={run.error} retry={run.reload} />;
  const r = run.data;
  if (!r || r.run_id !== route.id) return <Skeleton rows={16} />;
  return <RunSummaryView run={r} />;
}

function RunSummaryView({ run: r }: { run: RunDetail }) {
  const t = r.totals;
  const growth = r.context_growth;
  const chart = useMemo(
    () => ({
      x: growth.map((_, i) => i + 1),
      series: [
        { label: 'cached input', kind: 'bar' as const, values: growth.map((g) => g.cached_input_tokens), color: '#2fa57a' },
        { label: 'new input', kind: 'bar' as const, values: growth.map((g) => g.new_input_tokens), color: '#e0803a' },
      ],
    }),
    [growth],
  );
  const cached = r.calls.reduce((n, c) => n + (c.cached_input_tokens ?? 0), 0);
  return (
    <div class="page run-page">
      <PageHead
        title="Run"
        sub={
          <span>
            <span class="mono">{r.run_id}</span> · agent{' '}
            {r.agent_id ? <a href={href('/calls', { agent_id: r.agent_id })}>{r.agent_id}</a> : '—'} · {formatTimestamp(r.first_seen)}
          </span>
        }
        actions={
          <>
            <a class="button" href={href('/calls', { run_id: r.run_id, range: '30d' })}>
              Filter calls
            </a>
            <a class="button" href={href('/compare', { kind: 'run', a: r.run_id, agent: r.agent_id })}>
              Compare with…
            </a>
          </>
        }
      />
      <Tiles
        tiles={[
          {
            label: 'Cost',
            value: <Cost value={t.cost_usd} priced={t.cost_usd !== null} />,
            detail: t.unpriced_calls ? `+ ${t.unpriced_calls} unpriced` : undefined,
            tone: t.unpriced_calls ? 'warn' : undefined,
          },
          { label: 'Duration', value: formatMs(r.duration_ms) },
          {
            label: 'Calls',
            value: formatInt(t.calls),
            detail: t.errors ? `${formatInt(t.errors)} errors` : undefined,
            tone: t.errors ? 'error' : undefined,
          },
          {
            label: 'Prompt tokens',
            value: formatInt(t.prompt_tokens),
            detail: `${formatPercent(t.prompt_tokens ? cached / t.prompt_tokens : null)} cached`,
          },
          { label: 'Completion tokens', value: formatInt(t.completion_tokens) },
          { label: 'Traces', value: formatInt(r.traces.length) },
        ]}
      />
      <Section title="Context growth: input tokens per step">
        {growth.length === 0 ? (
          <p class="muted">No steps with token usage.</p>
        ) : (
          <>
            <Chart
              label="context growth"
              x={chart.x}
              series={chart.series}
              stacked
              whole
              format={formatCompact}
              height={180}
              time={false}
            />
            <details class="chart-table">
              <summary>Table</summary>
              <table class="data">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Step</th>
                    <th>Time</th>
                    <th class="num">Prompt</th>
                    <th class="num">Cached</th>
                    <th class="num">New</th>
                    <th class="num">Completion</th>
                  </tr>
                </thead>
                <tbody>
                  {growth.map((g, i) => (
                    <tr key={i}>
                      <td>{i + 1}</td>
                      <td class="mono">{g.step_id || '—'}</td>
                      <td>{formatTimestamp(g.time)}</td>
                      <td class="num">{formatInt(g.prompt_tokens)}</td>
                      <td class="num">{formatInt(g.cached_input_tokens)}</td>
                      <td class="num">{formatInt(g.new_input_tokens)}</td>
                      <td class="num">{formatInt(g.completion_tokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </>
        )}
      </Section>
      <Section title={`Traces (${r.traces.length})`}>
        <Table
          label="traces"
          rows={r.traces}
          rowKey={(tr) => tr.trace_id}
          rowHref={(tr) => traceHref(tr.trace_id)}
          columns={[
            {
              key: 'trace',
              label: 'Trace',
              cell: (tr) => (
                <a class="mono" href={traceHref(tr.trace_id)}>
                  {shortId(tr.trace_id, 16)}
                </a>
              ),
            },
            { key: 'start', label: 'Start', cell: (tr) => formatTimestamp(tr.start) },
            { key: 'duration', label: 'Duration', numeric: true, cell: (tr) => formatMs(tr.duration_ms) },
            { key: 'calls', label: 'Calls', numeric: true, cell: (tr) => formatInt(tr.calls) },
            { key: 'cost', label: 'Cost', numeric: true, cell: (tr) => <Cost value={tr.cost_usd} /> },
          ]}
        />
      </Section>
      <Section title={`Calls (${r.calls.length})`}>
        <Table
          label="run calls"
          rows={r.calls}
          rowKey={(c) => c.id}
          rowHref={(c) => callHref(c.id)}
          columns={callColumns({ omit: ['agent', 'run'] })}
          keyboard
          rowClass={(c) => (c.is_error ? 'is-error' : '')}
        />
      </Section>
    </div>
  );
}
