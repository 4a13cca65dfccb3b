/**
 * Usage over time: cost and tokens stacked by model, agent, provider or call type; calls and
 * error rate; latency and TTFT percentiles; cache hit ratio and the dollars caching saved. Each
 * chart has its numbers as a table (and CSV) under it; the range and grouping are in the URL.
 */
import { useMemo } from 'preact/hooks';
import { useApi } from '../api.js';
import type { UsageResponse } from '../../server/viewer-api/types.js';
import { Chart, type ChartSeries } from '../components/chart.js';
import { TimeRange } from '../components/filter-bar.js';
import { Cost, ErrorView, PageHead, Section, Skeleton } from '../components/ui.js';
import { toCsv, type Cell } from '../csv.js';
import { downloadText } from '../components/download.js';
import { USAGE_GROUPS, usageView } from '../first-request.js';
import { formatCompact, formatCost, formatInt, formatMs, formatPercent, formatTimestamp } from '../format.js';
import { sumMoney } from '../money.js';
import { useNow } from '../now.js';
import { href, navigate, withParams, type Route } from '../router.js';

export default function UsagePage({ route }: { route: Route }) {
  const { params } = route;
  const now = useNow(params.toString());
  const { bucket, groupBy, query } = useMemo(() => usageView(params, now), [params.toString(), now]);
  const usage = useApi<UsageResponse>('usage', query);
  const change = (next: URLSearchParams) => navigate(href('/usage', next));
  const groupLabel = USAGE_GROUPS.find(([g]) => g === groupBy)![1].toLowerCase();
  return (
    <div class="page usage-page">
      <PageHead
        title="Usage"
        sub={`${bucket === 'hour' ? 'hourly' : 'daily'}, by ${groupLabel}`}
        actions={
          <>
            <TimeRange
              params={params.has('range') || params.has('start') ? params : withParams(params, { range: '7d' })}
              onChange={change}
              presets={['24h', '7d', '30d']}
            />
            <div class="seg-group" role="group" aria-label="bucket">
              {(['hour', 'day'] as const).map((b) => (
                <button
                  key={b}
                  type="button"
                  class={`seg${bucket === b ? ' on' : ''}`}
                  onClick={() => change(withParams(params, { bucket: b }))}
                  data-bucket={b}
                >
                  {b === 'hour' ? 'Hourly' : 'Daily'}
                </button>
              ))}
            </div>
            <label class="facet">
              <span>Group by</span>
              <select
                value={groupBy}
                onChange={(e) => change(withParams(params, { group_by: (e.target as HTMLSelectElement).value }))}
                data-group-by
              >
                {USAGE_GROUPS.map(([g, label]) => (
                  <option key={g} value={g}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
          </>
        }
      />
      {usage.error && <ErrorView error={usage.error} retry={usage.reload} />}
      {!usage.data && !usage.error ? (
        <Skeleton rows={18} />
      ) : usage.data ? (
        <Charts usage={usage.data} groupLabel={groupLabel} dim={usage.loading} />
      ) : null}
    </div>
  );
}

interface TableSpec {
  header: string[];
  rows: Cell[][];
  footer: Cell[];
}

function Charts({ usage, groupLabel, dim }: { usage: UsageResponse; groupLabel: string; dim: boolean }) {
  const x = useMemo(() => usage.buckets.map((b) => new Date(b).getTime() / 1000), [usage]);
  const series = usage.series;
  const keyLabel = (key: string) => key || '(none)';
  const d = useMemo(() => {
    const cost = series.map((s) => s.cost_usd.map((v) => (v === null ? null : Number(v))));
    const tokens = series.map((s) => s.prompt_tokens.map((p, i) => p + (s.completion_tokens[i] ?? 0)));
    const totalCost = sumMoney(series.flatMap((s) => s.cost_usd));
    const keyCost = series.map((s) => sumMoney(s.cost_usd));
    const calls = usage.overall.reduce((n, o) => n + o.calls, 0);
    const errors = usage.overall.reduce((n, o) => n + o.errors, 0);
    const prompt = usage.overall.reduce((n, o) => n + o.prompt_tokens, 0);
    const cached = usage.overall.reduce((n, o) => n + o.cached_input_tokens, 0);
    const completion = series.reduce((n, s) => n + s.completion_tokens.reduce((a, b) => a + b, 0), 0);
    const savings = sumMoney(usage.overall.map((o) => o.cache_savings_usd));
    return { cost, tokens, totalCost, keyCost, calls, errors, prompt, cached, completion, savings };
  }, [usage]);
  const bucketLabel = (i: number) => formatTimestamp(usage.buckets[i]!).slice(0, 16);
  const perKey = (values: Cell[][], total: (i: number) => Cell, footer: Cell[]): TableSpec => ({
    header: ['bucket', ...series.map((s) => keyLabel(s.key)), 'total'],
    rows: usage.buckets.map((_, i) => [bucketLabel(i), ...values.map((v) => v[i] ?? null), total(i)]),
    footer: ['total', ...footer],
  });
  const costTable = perKey(
    series.map((s) => s.cost_usd),
    (i) => sumMoney(series.map((s) => s.cost_usd[i])),
    [...d.keyCost, d.totalCost],
  );
  const tokenTable = perKey(d.tokens, (i) => d.tokens.reduce((n, v) => n + (v[i] ?? 0), 0), [
    ...d.tokens.map((v) => v.reduce((a, b) => a + b, 0)),
    d.prompt + d.completion,
  ]);
  const callsSeries: ChartSeries[] = [
    ...series.map((s) => ({ label: keyLabel(s.key), kind: 'bar' as const, values: s.calls })),
    {
      label: 'error rate',
      kind: 'line',
      axis: 'y2',
      values: usage.overall.map((o) => (o.calls === 0 ? null : o.error_rate)),
      color: '#d23c3c',
    },
  ];
  const overallTable = (columns: Array<[string, (o: UsageResponse['overall'][number]) => Cell]>, footer: Cell[]): TableSpec => ({
    header: ['bucket', ...columns.map(([label]) => label)],
    rows: usage.overall.map((o, i) => [bucketLabel(i), ...columns.map(([, value]) => value(o))]),
    footer: ['total', ...footer],
  });
  const stacked = (values: Array<ReadonlyArray<number | null>>): ChartSeries[] =>
    series.map((s, i) => ({ label: keyLabel(s.key), kind: 'bar', values: values[i]! }));
  if (usage.buckets.length === 0) return <p class="muted">No calls in this window.</p>;
  return (
    <div class={`charts${dim ? ' dim' : ''}`}>
      <Section
        title={
          <span>
            Cost by {groupLabel} ·{' '}
            <strong data-chart-total="cost">
              <Cost value={d.totalCost} />
            </strong>
          </span>
        }
        actions={<CsvButton name="cost" table={costTable} />}
      >
        <Chart label="cost" x={x} series={stacked(d.cost)} stacked format={(v) => formatCost(String(v))} />
        <ChartTable table={costTable} money />
      </Section>
      <Section
        title={
          <span>
            Tokens by {groupLabel} · <strong data-chart-total="tokens">{formatInt(d.prompt + d.completion)}</strong>{' '}
            <span class="muted">
              ({formatInt(d.prompt)} prompt, {formatInt(d.completion)} completion)
            </span>
          </span>
        }
        actions={<CsvButton name="tokens" table={tokenTable} />}
      >
        <Chart label="tokens" x={x} series={stacked(d.tokens)} stacked whole format={formatCompact} />
        <ChartTable table={tokenTable} />
      </Section>
      <Section
        title={
          <span>
            Calls and error rate · <strong data-chart-total="calls">{formatInt(d.calls)}</strong> calls,{' '}
            <span data-chart-total="errors">{formatInt(d.errors)}</span> errors ({formatPercent(d.calls ? d.errors / d.calls : null, 2)})
          </span>
        }
        actions={
          <CsvButton
            name="calls"
            table={overallTable(
              [
                ['calls', (o) => o.calls],
                ['errors', (o) => o.errors],
                ['error rate', (o) => o.error_rate],
              ],
              [d.calls, d.errors, d.calls ? d.errors / d.calls : null],
            )}
          />
        }
      >
        <Chart label="calls" x={x} series={callsSeries} stacked whole format={formatCompact} format2={(v) => formatPercent(v, 1)} />
        <ChartTable
          table={overallTable(
            [
              ['calls', (o) => o.calls],
              ['errors', (o) => o.errors],
              ['error rate', (o) => formatPercent(o.error_rate, 2)],
            ],
            [d.calls, d.errors, formatPercent(d.calls ? d.errors / d.calls : null, 2)],
          )}
        />
      </Section>
      <Section
        title="Latency and time to first token"
        actions={
          <CsvButton
            name="latency"
            table={overallTable(
              [
                ['latency p50 ms', (o) => o.latency_p50_ms],
                ['latency p95 ms', (o) => o.latency_p95_ms],
                ['ttft p50 ms', (o) => o.ttft_p50_ms],
                ['ttft p95 ms', (o) => o.ttft_p95_ms],
              ],
              ['', '', '', ''],
            )}
          />
        }
      >
        <Chart
          label="latency"
          x={x}
          series={[
            { label: 'latency p50', kind: 'line', values: usage.overall.map((o) => o.latency_p50_ms), color: '#4f6bed' },
            { label: 'latency p95', kind: 'line', values: usage.overall.map((o) => o.latency_p95_ms), color: '#4f6bed', dash: true },
            { label: 'TTFT p50', kind: 'line', values: usage.overall.map((o) => o.ttft_p50_ms), color: '#e0803a' },
            { label: 'TTFT p95', kind: 'line', values: usage.overall.map((o) => o.ttft_p95_ms), color: '#e0803a', dash: true },
          ]}
          format={formatMs}
        />
        <ChartTable
          table={overallTable(
            [
              ['latency p50', (o) => formatMs(o.latency_p50_ms)],
              ['latency p95', (o) => formatMs(o.latency_p95_ms)],
              ['TTFT p50', (o) => formatMs(o.ttft_p50_ms)],
              ['TTFT p95', (o) => formatMs(o.ttft_p95_ms)],
            ],
            ['', '', '', ''],
          )}
        />
      </Section>
      <Section
        title={
          <span>
            Prompt cache · <strong data-chart-total="cache-ratio">{formatPercent(d.prompt ? d.cached / d.prompt : null)}</strong> of prompt
            tokens cached,{' '}
            <strong data-chart-total="savings">
              <Cost value={d.savings} />
            </strong>{' '}
            saved
          </span>
        }
        actions={
          <CsvButton
            name="cache"
            table={overallTable(
              [
                ['prompt tokens', (o) => o.prompt_tokens],
                ['cached tokens', (o) => o.cached_input_tokens],
                ['cache hit ratio', (o) => o.cache_hit_ratio],
                ['savings usd', (o) => o.cache_savings_usd],
              ],
              [d.prompt, d.cached, d.prompt ? d.cached / d.prompt : null, d.savings],
            )}
          />
        }
      >
        <Chart
          label="cache"
          x={x}
          series={[
            {
              label: 'saved',
              kind: 'bar',
              values: usage.overall.map((o) => (o.cache_savings_usd === null ? null : Number(o.cache_savings_usd))),
              color: '#2fa57a',
            },
            { label: 'cache hit ratio', kind: 'line', axis: 'y2', values: usage.overall.map((o) => o.cache_hit_ratio), color: '#8a63d2' },
          ]}
          format={(v) => formatCost(String(v))}
          format2={(v) => formatPercent(v, 0)}
        />
        <ChartTable
          table={overallTable(
            [
              ['prompt tokens', (o) => formatInt(o.prompt_tokens)],
              ['cached', (o) => formatInt(o.cached_input_tokens)],
              ['hit ratio', (o) => formatPercent(o.cache_hit_ratio)],
              ['saved', (o) => formatCost(o.cache_savings_usd)],
            ],
            [formatInt(d.prompt), formatInt(d.cached), formatPercent(d.prompt ? d.cached / d.prompt : null), formatCost(d.savings)],
          )}
        />
      </Section>
    </div>
  );
}

function CsvButton({ name, table }: { name: string; table: TableSpec }) {
  return (
    <button
      type="button"
      class="small"
      onClick={() => downloadText(`usage-${name}.csv`, toCsv(table.header, [...table.rows, table.footer]))}
      data-csv={name}
    >
      CSV
    </button>
  );
}

function ChartTable({ table, money = false }: { table: TableSpec; money?: boolean }) {
  const show = (value: Cell, column: number) =>
    column > 0 && money
      ? formatCost(value === null || value === undefined ? null : String(value))
      : typeof value === 'number'
        ? formatInt(value)
        : (value ?? '—');
  return (
    <details class="chart-table">
      <summary>Table</summary>
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              {table.header.map((h, i) => (
                <th key={i} class={i > 0 ? 'num' : undefined}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, r) => (
              <tr key={r}>
                {row.map((cell, i) => (
                  <td key={i} class={i > 0 ? 'num' : undefined}>
                    {show(cell, i)}
                  </td>
                ))}
              </tr>
            ))}
            <tr class="total">
              {table.footer.map((cell, i) => (
                <td key={i} class={i > 0 ? 'num' : undefined}>
                  {show(cell, i)}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </details>
  );
}
