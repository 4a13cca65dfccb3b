/** Runs in the window, by cost (or last seen, or calls), a keyset page at a time. */
import { useMemo } from 'preact/hooks';
import { useApi } from '../api.js';
import type { RunPage } from '../../server/viewer-api/types.js';
import { TimeRange } from '../components/filter-bar.js';
import { Pager } from '../components/pager.js';
import { Table, type Sort } from '../components/table.js';
import { Cost, ErrorView, PageHead, Skeleton } from '../components/ui.js';
import { windowOf } from '../filters.js';
import { formatInt, formatMs, formatTime, formatTimestamp, shortId } from '../format.js';
import { useNow } from '../now.js';
import { href, navigate, runHref, withParams, type Route } from '../router.js';

const SORTS = ['cost', 'last_seen', 'calls'] as const;

export default function RunsPage({ route }: { route: Route }) {
  const { params } = route;
  const now = useNow(params.toString());
  const window = windowOf(params, now);
  const sort: Sort = { key: SORTS.includes(params.get('sort') as never) ? params.get('sort')! : 'cost', order: 'desc' };
  const query = useMemo(
    () => ({
      start: window.start.toISOString(),
      end: window.end.toISOString(),
      agent_id: params.get('agent_id'),
      sort: sort.key,
      cursor: params.get('cursor'),
      limit: 100,
    }),
    [params.toString(), now],
  );
  const runs = useApi<RunPage>('runs', query);
  const change = (next: URLSearchParams) => navigate(href('/runs', next));
  return (
    <div class="page">
      <PageHead
        title="Runs"
        sub={params.get('agent_id') ? `agent ${params.get('agent_id')}` : 'every agent'}
        actions={<TimeRange params={params} onChange={change} />}
      />
      {runs.error && <ErrorView error={runs.error} retry={runs.reload} />}
      {!runs.data && !runs.error ? (
        <Skeleton rows={14} />
      ) : runs.data ? (
        <>
          <Table
            label="runs"
            rows={runs.data.items}
            rowKey={(r) => r.run_id}
            rowHref={(r) => runHref(r.run_id)}
            keyboard
            dim={runs.loading}
            serverSort={{
              keys: SORTS,
              sort,
              onSort: (next) => change(withParams(params, { sort: next.key === 'cost' ? null : next.key, cursor: null })),
            }}
            columns={[
              {
                key: 'run',
                label: 'Run',
                cell: (r) => (
                  <a class="mono" href={runHref(r.run_id)} title={r.run_id}>
                    {shortId(r.run_id, 18)}
                  </a>
                ),
              },
              { key: 'agent', label: 'Agent', cell: (r) => r.agent_id || <span class="muted">—</span> },
              { key: 'calls', label: 'Calls', numeric: true, cell: (r) => formatInt(r.calls) },
              {
                key: 'errors',
                label: 'Errors',
                numeric: true,
                cell: (r) => (r.errors ? <span class="error-text">{formatInt(r.errors)}</span> : '0'),
              },
              { key: 'prompt', label: 'Prompt tok', numeric: true, cell: (r) => formatInt(r.prompt_tokens) },
              { key: 'completion', label: 'Compl. tok', numeric: true, cell: (r) => formatInt(r.completion_tokens) },
              { key: 'cost', label: 'Cost', numeric: true, cell: (r) => <Cost value={r.cost_usd} /> },
              { key: 'duration', label: 'Duration', numeric: true, cell: (r) => formatMs(r.duration_ms) },
              {
                key: 'first',
                label: 'First seen',
                cell: (r) => <span title={formatTimestamp(r.first_seen)}>{formatTime(r.first_seen, now)}</span>,
              },
              {
                key: 'last_seen',
                label: 'Last seen',
                cell: (r) => <span title={formatTimestamp(r.last_seen)}>{formatTime(r.last_seen, now)}</span>,
              },
            ]}
            empty="No runs in this window. Runs come from the llm_traces.run_id attribute (withLlmContext({ runId }))."
          />
          <Pager path="/runs" params={params} nextCursor={runs.data.next_cursor} />
        </>
      ) : null}
    </div>
  );
}
