/**
 * Calls, the home page: the filtered set's totals, the filters with facet counts, and the calls
 * newest first (or by cost, tokens, latency), a keyset page at a time. While the window is
 * relative and the first page is shown, it polls for new calls (the pause switch stops it).
 */
import { useMemo, useState } from 'preact/hooks';
import { apiUrl, useApi } from '../api.js';
import type { CallFacets, CallPage, CallSummary, CallTotals } from '../../server/viewer-api/types.js';
import { callColumns, Snippet } from '../components/call-columns.js';
import { EmptyStore } from '../components/empty-store.js';
import { FilterBar } from '../components/filter-bar.js';
import { Pager } from '../components/pager.js';
import { Table, type Column, type Sort } from '../components/table.js';
import { Cost, ErrorView, PageHead, Skeleton, Tiles } from '../components/ui.js';
import { activeFilters, windowOf } from '../filters.js';
import { CALL_SORTS, callSort, callsView } from '../first-request.js';
import { formatInt, formatPercent } from '../format.js';
import { useNow } from '../now.js';
import { callHref, href, navigate, withParams, type Route } from '../router.js';

const POLL_MS = 5000;

export function CallsPage({ route }: { route: Route }) {
  const { params } = route;
  const key = params.toString();
  const relative = windowOf(params).range !== null;
  const cursor = params.get('cursor');
  const sort: Sort = callSort(params);
  const paused = params.get('paused') === '1';
  const live = !paused && relative && !cursor && sort.key === 'time' && sort.order === 'desc';
  const now = useNow(key, live ? POLL_MS : undefined);
  const window = windowOf(params, now);
  const { filters, query } = useMemo(() => callsView(params, now), [key, now]);
  const calls = useApi<CallPage>('calls', query);
  // The page of calls first: totals and facet counts are asked for once it is in.
  const totals = useApi<CallTotals>('calls/totals', filters, calls.loading);
  const facets = useApi<CallFacets>('calls/facets', filters, calls.loading);
  // An empty window with no filters may be an empty store: then the page says how to send data.
  const unfiltered = totals.data?.calls === 0 && activeFilters(params).length === 0;
  const everything = useApi<CallTotals>(unfiltered ? 'calls/totals' : null, { start: '2001-01-01T00:00:00.000Z', end: now.toISOString() });
  const [picked, setPicked] = useState<string[]>([]);
  const change = (next: URLSearchParams, replace = false) => navigate(href('/calls', next), replace);

  const failure = calls.error ?? totals.error;
  if (everything.data?.calls === 0 && !failure) return <EmptyStore />;
  const columns: Column<CallSummary>[] = [
    {
      key: 'pick',
      label: '',
      width: '1.6em',
      cell: (c) => (
        <input
          type="checkbox"
          aria-label="pick for compare"
          checked={picked.includes(c.id)}
          onChange={(e) =>
            setPicked((current) =>
              (e.target as HTMLInputElement).checked
                ? [...current.filter((id) => id !== c.id), c.id].slice(-2)
                : current.filter((id) => id !== c.id),
            )
          }
        />
      ),
    },
    ...callColumns({ now }),
  ];
  const t = totals.data;
  const exportQuery = { ...filters };
  return (
    <div class="page calls-page">
      <PageHead
        title="Calls"
        sub={
          <span>
            {window.range ? `last ${window.range}` : 'custom window'}
            {live ? <span class="live-dot" title="new calls appear as they arrive" /> : null}
          </span>
        }
        actions={
          <>
            {picked.length === 2 && (
              <a class="button primary" href={href('/compare', { kind: 'call', a: picked[0], b: picked[1] })}>
                Compare 2 calls
              </a>
            )}
            {window.range !== null && (
              <button
                type="button"
                class={paused ? '' : 'on'}
                onClick={() => change(withParams(params, { paused: !paused }), true)}
                data-live={paused ? 'paused' : 'live'}
                title="poll for new calls every 5 s"
              >
                {paused ? '▶ Resume live' : '❚❚ Pause live'}
              </button>
            )}
            <a class="button" href={apiUrl('export', { format: 'csv', ...exportQuery })} download data-export="csv">
              CSV
            </a>
            <a class="button" href={apiUrl('export', { format: 'jsonl', ...exportQuery })} download data-export="jsonl">
              JSONL
            </a>
          </>
        }
      />
      <FilterBar params={params} facets={facets.data} onChange={change} />
      <Tiles
        loading={totals.loading && !t}
        tiles={[
          { label: 'Calls', value: t ? formatInt(t.calls) : '…' },
          {
            label: 'Errors',
            value: t ? formatInt(t.errors) : '…',
            detail: t ? formatPercent(t.error_rate, 2) : '',
            tone: t && t.errors > 0 ? 'error' : undefined,
          },
          {
            label: 'Prompt tokens',
            value: t ? formatInt(t.prompt_tokens) : '…',
            detail: t
              ? `${formatInt(t.cached_input_tokens)} cached (${formatPercent(t.prompt_tokens ? t.cached_input_tokens / t.prompt_tokens : null)})`
              : '',
          },
          {
            label: 'Completion tokens',
            value: t ? formatInt(t.completion_tokens) : '…',
            detail: t ? `${formatInt(t.reasoning_tokens)} reasoning` : '',
          },
          {
            label: 'Cost',
            value: t ? <Cost value={t.cost_usd} priced={t.cost_usd !== null} /> : '…',
            detail:
              t && t.unpriced_calls > 0 ? (
                <a href="#/prices">
                  + {formatInt(t.unpriced_calls)} {t.unpriced_calls === 1 ? 'call' : 'calls'} without a cost
                </a>
              ) : (
                ''
              ),
            tone: t && t.unpriced_calls > 0 ? 'warn' : undefined,
          },
        ]}
      />
      {failure && <ErrorView error={failure} retry={() => (calls.reload(), totals.reload(), facets.reload())} />}
      {!calls.data && !failure ? (
        <Skeleton rows={14} />
      ) : calls.data ? (
        <>
          <Table
            label="calls"
            rows={calls.data.items}
            columns={columns}
            rowKey={(c) => c.id}
            rowHref={(c) => callHref(c.id)}
            keyboard
            dim={calls.loading && !live}
            rowClass={(c) => (c.is_error ? 'is-error' : '')}
            serverSort={{
              keys: CALL_SORTS,
              sort,
              onSort: (next) =>
                change(
                  withParams(params, {
                    sort: next.key === 'time' ? null : next.key,
                    order: next.order === 'desc' ? null : 'asc',
                    cursor: null,
                  }),
                ),
            }}
            below={(c) => (c.snippet ? <Snippet text={c.snippet} query={params.get('q') ?? ''} /> : null)}
            empty={
              <span>
                No calls match in this window.{' '}
                {window.range !== '30d' && (
                  <a href={href('/calls', withParams(params, { range: '30d', start: null, end: null, cursor: null }))}>
                    Look at the last 30 days
                  </a>
                )}
              </span>
            }
          />
          <Pager path="/calls" params={params} nextCursor={calls.data.next_cursor}>
            {/* The total only once it is of the same request as the rows (it follows them). */}
            <span class="muted">
              {formatInt(calls.data.items.length)}
              {t && !totals.loading ? ` of ${formatInt(t.calls)}` : ''}{' '}
              {(t && !totals.loading ? t.calls : calls.data.items.length) === 1 ? 'call' : 'calls'}
            </span>
          </Pager>
        </>
      ) : null}
    </div>
  );
}
