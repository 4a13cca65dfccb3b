/** Errors grouped by provider, type and normalized message, with counts and sample calls. */
import { useMemo } from 'preact/hooks';
import { useApi } from '../api.js';
import type { ErrorGroups } from '../../server/viewer-api/types.js';
import { TimeRange } from '../components/filter-bar.js';
import { Table } from '../components/table.js';
import { Badge, ErrorView, PageHead, Skeleton } from '../components/ui.js';
import { apiFilters } from '../filters.js';
import { formatInt, formatTime, formatTimestamp } from '../format.js';
import { useNow } from '../now.js';
import { callHref, href, navigate, withParams, type Route } from '../router.js';

export default function ErrorsPage({ route }: { route: Route }) {
  const { params } = route;
  const now = useNow(params.toString());
  const filters = useMemo(() => apiFilters(params, now, '7d'), [params.toString(), now]);
  const errors = useApi<ErrorGroups>('errors', filters);
  const total = errors.data?.groups.reduce((n, g) => n + g.count, 0) ?? 0;
  return (
    <div class="page">
      <PageHead
        title="Errors"
        sub={errors.data ? `${formatInt(total)} failed calls in ${formatInt(errors.data.groups.length)} groups` : ' '}
        actions={
          <TimeRange
            params={params.has('range') || params.has('start') ? params : withParams(params, { range: '7d' })}
            onChange={(next) => navigate(href('/errors', next))}
          />
        }
      />
      {errors.error && <ErrorView error={errors.error} retry={errors.reload} />}
      {!errors.data && !errors.error ? (
        <Skeleton rows={10} />
      ) : errors.data ? (
        <Table
          label="error groups"
          rows={errors.data.groups}
          rowKey={(g) => `${g.provider}|${g.error_type}|${g.message}`}
          rowHref={(g) => callHref(g.sample_ids[0] ?? '')}
          keyboard
          columns={[
            { key: 'count', label: 'Calls', numeric: true, cell: (g) => <strong>{formatInt(g.count)}</strong> },
            { key: 'provider', label: 'Provider', cell: (g) => g.provider || '—' },
            { key: 'type', label: 'Type', cell: (g) => <Badge tone="error">{g.error_type || 'error'}</Badge> },
            {
              key: 'message',
              label: 'Message',
              cell: (g) => (
                <span class="message-cell" title={g.message}>
                  {g.message || <span class="muted">(no message)</span>}
                </span>
              ),
            },
            {
              key: 'first',
              label: 'First',
              cell: (g) => <span title={formatTimestamp(g.first_seen)}>{formatTime(g.first_seen, now)}</span>,
            },
            { key: 'last', label: 'Last', cell: (g) => <span title={formatTimestamp(g.last_seen)}>{formatTime(g.last_seen, now)}</span> },
            {
              key: 'samples',
              label: 'Samples',
              cell: (g) => (
                <span class="samples">
                  {g.sample_ids.slice(0, 3).map((id, i) => (
                    <a key={id} href={callHref(id)} class="mono" data-sample>
                      #{i + 1}
                    </a>
                  ))}
                  <a href={href('/calls', { ...Object.fromEntries(params), errors: '1', provider: g.provider || null })}>all</a>
                </span>
              ),
            },
          ]}
          empty="No failed calls in this window."
        />
      ) : null}
    </div>
  );
}
