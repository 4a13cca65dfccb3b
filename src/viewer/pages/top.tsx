/** The most expensive prompts and the largest requests in the window, under the Calls filters. */
import { useMemo } from 'preact/hooks';
import { useApi } from '../api.js';
import type { CallSummary, TopCalls } from '../../server/viewer-api/types.js';
import { callColumns } from '../components/call-columns.js';
import { TimeRange } from '../components/filter-bar.js';
import { Table, type Column } from '../components/table.js';
import { ErrorView, PageHead, Skeleton } from '../components/ui.js';
import { activeFilters, apiFilters } from '../filters.js';
import { formatBytes } from '../format.js';
import { useNow } from '../now.js';
import { callHref, href, navigate, withParams, type Route } from '../router.js';

const KINDS = [
  ['cost', 'Most expensive'],
  ['prompt_tokens', 'Largest prompts'],
  ['request_bytes', 'Largest requests'],
] as const;

export default function TopPage({ route }: { route: Route }) {
  const { params } = route;
  const kind = KINDS.find(([k]) => k === params.get('kind'))?.[0] ?? 'cost';
  const now = useNow(params.toString());
  const filters = useMemo(() => apiFilters(params, now, '7d'), [params.toString(), now]);
  const top = useApi<TopCalls>('top', { ...filters, kind, limit: 50 });
  const change = (next: URLSearchParams) => navigate(href('/top', next));
  const base = callColumns({ now, omit: ['agent', 'cached', 'reasoning', 'ttft'] });
  // The request size goes before the status, beside the other numbers.
  const columns: Column<CallSummary>[] = [
    ...base.slice(0, -1),
    {
      key: 'size',
      label: 'Request',
      numeric: true,
      title: 'request payload size as produced',
      cell: (c) => formatBytes(c.request_size_bytes),
    },
    base.at(-1)!,
  ];
  const filtered = activeFilters(params);
  return (
    <div class="page">
      <PageHead
        title="Top calls"
        sub={filtered.length ? `filtered by ${filtered.join(', ')} (from Calls)` : 'every call in the window'}
        actions={
          <TimeRange params={params.has('range') || params.has('start') ? params : withParams(params, { range: '7d' })} onChange={change} />
        }
      />
      <div class="seg-group tabs">
        {KINDS.map(([k, label]) => (
          <a
            key={k}
            class={`seg${k === kind ? ' on' : ''}`}
            href={href('/top', withParams(params, { kind: k === 'cost' ? null : k }))}
            data-kind={k}
          >
            {label}
          </a>
        ))}
      </div>
      {top.error && <ErrorView error={top.error} retry={top.reload} />}
      {!top.data && !top.error ? (
        <Skeleton rows={14} />
      ) : top.data ? (
        <Table
          label="top calls"
          rows={top.data.items}
          columns={columns}
          rowKey={(c) => c.id}
          rowHref={(c) => callHref(c.id)}
          keyboard
          dim={top.loading}
          empty="No calls in this window."
        />
      ) : null}
    </div>
  );
}
