/** Agents in the window with their runs, calls, errors, tokens and cost; sorted here, by cost first. */
import { useMemo } from 'preact/hooks';
import { useApi } from '../api.js';
import type { AgentList, AgentSummary } from '../../server/viewer-api/types.js';
import { TimeRange } from '../components/filter-bar.js';
import { Table } from '../components/table.js';
import { Cost, ErrorView, PageHead, Skeleton } from '../components/ui.js';
import { windowOf } from '../filters.js';
import { formatInt, formatTime, formatTimestamp } from '../format.js';
import { useNow } from '../now.js';
import { href, navigate, type Route } from '../router.js';

export default function AgentsPage({ route }: { route: Route }) {
  const { params } = route;
  const now = useNow(params.toString());
  const window = windowOf(params, now);
  const query = useMemo(() => ({ start: window.start.toISOString(), end: window.end.toISOString() }), [params.toString(), now]);
  const agents = useApi<AgentList>('agents', query);
  const calls = (a: AgentSummary) =>
    href('/calls', {
      agent_id: a.agent_id,
      range: window.range,
      start: window.range ? null : query.start,
      end: window.range ? null : query.end,
    });
  return (
    <div class="page">
      <PageHead
        title="Agents"
        sub={window.range ? `last ${window.range}` : 'custom window'}
        actions={<TimeRange params={params} onChange={(next) => navigate(href('/agents', next))} />}
      />
      {agents.error && <ErrorView error={agents.error} retry={agents.reload} />}
      {!agents.data && !agents.error ? (
        <Skeleton rows={10} />
      ) : agents.data ? (
        <Table
          label="agents"
          rows={agents.data.items}
          rowKey={(a) => a.agent_id}
          rowHref={calls}
          keyboard
          localSort={{ key: 'cost', order: 'desc' }}
          columns={[
            {
              key: 'agent',
              label: 'Agent',
              sortValue: (a) => a.agent_id,
              cell: (a) =>
                a.agent_id ? (
                  <a href={calls(a)}>{a.agent_id}</a>
                ) : (
                  <span class="muted" title="calls that carry no agent id">
                    (none)
                  </span>
                ),
            },
            {
              key: 'runs',
              label: 'Runs',
              numeric: true,
              sortValue: (a) => a.runs,
              cell: (a) =>
                a.agent_id && a.runs > 0 ? (
                  <a href={href('/runs', { agent_id: a.agent_id, range: window.range })}>{formatInt(a.runs)}</a>
                ) : (
                  formatInt(a.runs)
                ),
            },
            { key: 'calls', label: 'Calls', numeric: true, sortValue: (a) => a.calls, cell: (a) => formatInt(a.calls) },
            {
              key: 'errors',
              label: 'Errors',
              numeric: true,
              sortValue: (a) => a.errors,
              cell: (a) => (a.errors ? <span class="error-text">{formatInt(a.errors)}</span> : '0'),
            },
            { key: 'tokens', label: 'Tokens', numeric: true, sortValue: (a) => a.tokens, cell: (a) => formatInt(a.tokens) },
            {
              key: 'cost',
              label: 'Cost',
              numeric: true,
              sortValue: (a) => (a.cost_usd === null ? -1 : Number(a.cost_usd)),
              cell: (a) => <Cost value={a.cost_usd} />,
            },
            {
              key: 'first',
              label: 'First seen',
              sortValue: (a) => a.first_seen,
              cell: (a) => <span title={formatTimestamp(a.first_seen)}>{formatTime(a.first_seen, now)}</span>,
            },
            {
              key: 'last',
              label: 'Last seen',
              sortValue: (a) => a.last_seen,
              cell: (a) => <span title={formatTimestamp(a.last_seen)}>{formatTime(a.last_seen, now)}</span>,
            },
          ]}
          empty="No agents in this window."
        />
      ) : null}
    </div>
  );
}
