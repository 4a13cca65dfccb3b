/**
 * A trace: the waterfall of all its spans on one time axis (service, name, kind, status,
 * nesting, collapsible subtrees; LLM spans carry model, tokens and cost), drawn virtualized from
 * the span skeleton. A span's attributes, events and resource are fetched when it is selected.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { apiUrl, useApi } from '../api.js';
import type { SpanDetail, SpanLlm, TraceSkeleton } from '../../server/viewer-api/types.js';
import { Badge, Cost, ErrorView, Facts, PageHead, Skeleton, Tiles } from '../components/ui.js';
import { VirtualList } from '../components/virtual-list.js';
import { formatCost, formatInt, formatMs, formatNs, formatTickNs, formatTimestamp } from '../format.js';
import { useEscape, useListKeys } from '../keys.js';
import { callHref, href, navigate, traceHref, withParams, type Route } from '../router.js';
import { colorAt } from '../palette.js';
import { axisTicks, layoutSpans, visibleRows, type SpanRow } from '../span-tree.js';

const ROW_HEIGHT = 26;
/** Pixels of indent per nesting level in the name column. */
const INDENT = 14;
/** The narrowest the name column is dragged to, and the least it leaves the bars. */
const NAME_MIN = 160;
const TRACK_MIN = 160;

export default function TracePage({ route }: { route: Route }) {
  const trace = useApi<TraceSkeleton>(`traces/${encodeURIComponent(route.id)}`);
  if (trace.error) return <ErrorView error={trace.error} retry={trace.reload} />;
  const t = trace.data;
  if (!t || t.trace_id !== route.id) return <Skeleton rows={16} />;
  return <Waterfall trace={t} route={route} />;
}

function serviceColors(services: readonly string[]): Map<string, string> {
  return new Map(services.map((service, i) => [service, colorAt(i)]));
}

function Waterfall({ trace, route }: { trace: TraceSkeleton; route: Route }) {
  const layout = useMemo(() => layoutSpans(trace.spans), [trace]);
  const colors = useMemo(
    () => serviceColors(trace.services.length ? trace.services : [...new Set(trace.spans.map((s) => s.service))]),
    [trace],
  );
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const rows = useMemo(() => visibleRows(layout.rows, collapsed), [layout, collapsed]);
  const selectedId = route.params.get('span') ?? '';
  const selectedIndex = rows.findIndex((r) => r.span.span_id === selectedId);
  const select = (span: string | null) =>
    navigate(href(`/traces/${encodeURIComponent(trace.trace_id)}`, withParams(route.params, { span })), true);
  useListKeys({
    count: rows.length,
    selected: selectedIndex,
    select: (i) => select(rows[i]!.span.span_id),
    open: (i) => select(rows[i]!.span.span_id),
  });
  useEscape(() => select(null), selectedId !== '');
  const toggle = (id: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const natural = useMemo(() => naturalNameWidth(layout.rows), [layout]);
  // Dragged by its edge: a width in pixels; until then the widest row's, up to 60% of the box.
  const [dragged, setDragged] = useState<number | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const nameColumn = dragged === null ? `min(${natural}px, 60%)` : `${dragged}px`;
  const resize = (width: number) => {
    const room = (box.current?.clientWidth ?? 0) - TRACK_MIN;
    setDragged(Math.round(Math.max(NAME_MIN, Math.min(width, room))));
  };
  const ticks = axisTicks(layout.totalNs);
  const total = layout.totalNs || 1;
  const selected = layout.rows.find((r) => r.span.span_id === selectedId);
  const errors = trace.spans.filter((s) => s.status_code === 'Error').length;
  return (
    <div class="page trace-page">
      <PageHead
        title="Trace"
        sub={
          <span>
            <span class="mono">{trace.trace_id}</span> · started {formatTimestamp(trace.start)}
          </span>
        }
        actions={
          <>
            <a class="button" href={href('/compare', { kind: 'trace', a: trace.trace_id })}>
              Compare with…
            </a>
            <a
              class="button"
              href={apiUrl(`traces/${encodeURIComponent(trace.trace_id)}/otlp`)}
              download={`trace-${trace.trace_id}.otlp.json`}
              data-export="otlp"
            >
              OTLP JSON
            </a>
          </>
        }
      />
      <Tiles
        tiles={[
          { label: 'Duration', value: formatMs(trace.duration_ms) },
          {
            label: 'Spans',
            value: formatInt(trace.span_count),
            detail: errors ? `${errors} with errors` : undefined,
            tone: errors ? 'error' : undefined,
          },
          { label: 'Services', value: formatInt(trace.services.length), detail: trace.services.join(', ') },
          { label: 'LLM calls', value: formatInt(trace.totals.calls) },
          { label: 'Tokens', value: formatInt(trace.totals.tokens) },
          { label: 'Cost', value: <Cost value={trace.totals.cost_usd} priced={trace.totals.cost_usd !== null} /> },
        ]}
      />
      <div class="legend">
        {[...colors].map(([service, color]) => (
          <span key={service} class="legend-item">
            <span class="swatch" style={{ background: color }} /> {service || '(no service)'}
          </span>
        ))}
        {trace.truncated && (
          <span class="notice">
            Showing the first {formatInt(trace.spans.length)} of {formatInt(trace.span_count)} spans.
          </span>
        )}
      </div>
      <div class={`waterfall-grid${selected ? ' with-panel' : ''}`}>
        <div class="waterfall" data-waterfall ref={box} style={{ '--wf-name': nameColumn }}>
          <div class="wf-head">
            <div class="wf-name">
              Span
              <ColumnEdge onResize={resize} onReset={() => setDragged(null)} />
            </div>
            <div class="wf-axis">
              {ticks.map((tick) => (
                <span key={tick} class="tick" style={{ left: `${(tick / total) * 100}%` }}>
                  {formatTickNs(tick)}
                </span>
              ))}
            </div>
          </div>
          <VirtualList
            count={rows.length}
            rowHeight={ROW_HEIGHT}
            height={Math.max(240, Math.round(window.innerHeight * 0.68))}
            scrollTo={selectedIndex}
            label="spans"
            row={(index) => (
              <SpanLine
                row={rows[index]!}
                total={total}
                color={colors.get(rows[index]!.span.service) ?? colorAt(0)}
                selected={index === selectedIndex}
                collapsed={collapsed.has(rows[index]!.span.span_id)}
                onToggle={toggle}
                onSelect={select}
              />
            )}
          />
        </div>
        {selected && <SpanPanel traceId={trace.trace_id} row={selected} onClose={() => select(null)} />}
      </div>
    </div>
  );
}

function SpanLine({
  row,
  total,
  color,
  selected,
  collapsed,
  onToggle,
  onSelect,
}: {
  row: SpanRow;
  total: number;
  color: string;
  selected: boolean;
  collapsed: boolean;
  onToggle(id: string): void;
  onSelect(id: string): void;
}) {
  const { span } = row;
  const left = (row.offsetNs / total) * 100;
  const width = Math.max((row.durationNs / total) * 100, 0.15);
  const error = span.status_code === 'Error' || span.llm?.is_error;
  return (
    <div
      class={`wf-row${selected ? ' selected' : ''}${error ? ' is-error' : ''}`}
      onClick={() => onSelect(span.span_id)}
      data-span={span.span_id}
      data-span-name={span.name}
      data-depth={row.depth}
    >
      <div class="wf-name" style={{ paddingLeft: `${row.depth * INDENT + 4}px` }} title={`${span.service} · ${span.name} · ${span.kind}`}>
        {row.childCount > 0 ? (
          <button
            type="button"
            class="fold"
            onClick={(e) => {
              e.stopPropagation();
              onToggle(span.span_id);
            }}
            aria-label={collapsed ? `expand ${row.childCount} children` : 'collapse'}
            data-toggle={span.span_id}
          >
            {collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span class="fold" />
        )}
        <span class="swatch" style={{ background: color }} />
        <span class="span-name">{span.name}</span>
        {collapsed && <span class="muted"> +{row.childCount}</span>}
        {kindLabel(span.kind) && <span class="kind">{kindLabel(span.kind)}</span>}
        {span.llm && <LlmMark llm={span.llm} />}
      </div>
      <div class="wf-track">
        <div class="wf-bar" style={{ left: `${left}%`, width: `${width}%`, background: error ? 'var(--error)' : color }} />
        {/* Right of the bar when there is room, else inside its end. */}
        <span
          class={`wf-dur${left + width > 85 && width > 8 ? ' inside' : ''}`}
          style={
            left + width > 85
              ? width > 8
                ? { right: `calc(${100 - left - width}% + 4px)` }
                : { right: `${100 - left + 0.5}%` }
              : { left: `${left + width + 0.5}%` }
          }
        >
          {formatNs(row.durationNs)}
        </span>
      </div>
    </div>
  );
}

/** The kind shown after a name: none for Internal, the common case. */
function kindLabel(kind: string): string {
  return kind && kind !== 'Internal' ? kind.toLowerCase() : '';
}

const llmTokens = (llm: SpanLlm) => (llm.prompt_tokens ?? 0) + (llm.completion_tokens ?? 0);

/** Model, total tokens and cost of an LLM span, whole: "gpt-4o-mini · 1,460 tok · $0.00016". */
function LlmMark({ llm }: { llm: SpanLlm }) {
  return (
    <span
      class="llm-mark"
      title={`${llm.provider} ${llm.model}: ${formatInt(llm.prompt_tokens)} prompt + ${formatInt(llm.completion_tokens)} completion tokens`}
      data-llm={llm.call_id}
    >
      {llm.model} · {formatInt(llmTokens(llm))} tok · <Cost value={llm.cost_usd} />
    </span>
  );
}

/**
 * The name column's width that shows the widest row whole (indent, fold, swatch, name, kind, LLM
 * mark), measured once per trace in the page's font: rows are virtualized, so the DOM holds too
 * few of them to size the column from.
 */
function naturalNameWidth(rows: readonly SpanRow[]): number {
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return 420;
  const family = getComputedStyle(document.body).fontFamily;
  const widths = rows.map((row) => row.depth * INDENT + 4 + 14 + 5 + 9 + 5 + 12);
  const measure = (size: number, text: (row: SpanRow) => string, extra: number) => {
    context.font = `${size}px ${family}`;
    rows.forEach((row, i) => {
      const value = text(row);
      if (value) widths[i]! += context.measureText(value).width + extra;
    });
  };
  measure(13, (row) => row.span.name, 0);
  measure(10.5, (row) => kindLabel(row.span.kind), 5);
  // The mark's padding is 5px a side; the cost is "unpriced" when there is no price.
  measure(
    11,
    ({ span: { llm } }) =>
      llm ? `${llm.model} · ${formatInt(llmTokens(llm))} tok · ${llm.cost_usd === null ? 'unpriced' : formatCost(llm.cost_usd)}` : '',
    15,
  );
  return Math.ceil(Math.max(280, ...widths));
}

/** The name column's right edge: drag it (or use the arrow keys) to resize, double-click to fit the names again. */
function ColumnEdge({ onResize, onReset }: { onResize(width: number): void; onReset(): void }) {
  const start = useRef<{ x: number; width: number } | null>(null);
  const columnWidth = (edge: HTMLElement) => edge.parentElement!.getBoundingClientRect().width;
  return (
    <div
      class="wf-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label="resize the span column"
      tabIndex={0}
      data-resize
      onPointerDown={(e) => {
        e.preventDefault();
        const edge = e.currentTarget as HTMLElement;
        edge.setPointerCapture(e.pointerId);
        start.current = { x: e.clientX, width: columnWidth(edge) };
      }}
      onPointerMove={(e) => start.current && onResize(start.current.width + e.clientX - start.current.x)}
      onPointerUp={() => (start.current = null)}
      onPointerCancel={() => (start.current = null)}
      onDblClick={onReset}
      onKeyDown={(e) => {
        const step = e.key === 'ArrowLeft' ? -24 : e.key === 'ArrowRight' ? 24 : 0;
        if (!step) return;
        e.preventDefault();
        e.stopPropagation();
        onResize(columnWidth(e.currentTarget as HTMLElement) + step);
      }}
    />
  );
}

function SpanPanel({ traceId, row, onClose }: { traceId: string; row: SpanRow; onClose(): void }) {
  const { span } = row;
  const detail = useApi<SpanDetail>(`traces/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(span.span_id)}`);
  const [filter, setFilter] = useState('');
  const match = (key: string, value: string) =>
    !filter || key.toLowerCase().includes(filter.toLowerCase()) || value.toLowerCase().includes(filter.toLowerCase());
  const attributes = Object.entries(detail.data?.attributes ?? {}).filter(([k, v]) => match(k, v));
  return (
    <aside class="span-panel" data-span-panel={span.span_id}>
      <div class="panel-head">
        <h2>{span.name}</h2>
        <button type="button" class="small" onClick={onClose} aria-label="close (Esc)">
          ✕
        </button>
      </div>
      <Facts
        rows={[
          ['Service', span.service],
          ['Kind', span.kind],
          [
            'Status',
            <span>
              {span.status_code === 'Error' ? <Badge tone="error">Error</Badge> : span.status_code}
              {span.status_message ? ` ${span.status_message}` : ''}
            </span>,
          ],
          ['Starts at', `+${formatNs(row.offsetNs)}`],
          ['Duration', formatNs(row.durationNs)],
          ['Span id', <span class="mono">{span.span_id}</span>],
          [
            'Parent',
            span.parent_span_id && (
              <a class="mono" href={traceHref(traceId, span.parent_span_id)}>
                {span.parent_span_id}
              </a>
            ),
          ],
          [
            'LLM call',
            span.llm && (
              <a href={callHref(span.llm.call_id)} data-open-call>
                {span.llm.model} · open the call →
              </a>
            ),
          ],
        ]}
      />
      {detail.error && <ErrorView error={detail.error} retry={detail.reload} />}
      {!detail.data && !detail.error && <Skeleton rows={6} height={20} />}
      {detail.data && (
        <>
          <h3>
            Attributes <span class="muted">{Object.keys(detail.data.attributes).length}</span>
          </h3>
          <input
            type="search"
            class="attr-filter"
            placeholder="filter attributes"
            value={filter}
            onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
          />
          <KeyValues entries={attributes} />
          {detail.data.events.length > 0 && (
            <>
              <h3>
                Events <span class="muted">{detail.data.events.length}</span>
              </h3>
              {detail.data.events.map((event, i) => (
                <div key={i} class="event">
                  <div>
                    <strong>{event.name}</strong> <span class="muted">{formatTimestamp(event.time)}</span>
                  </div>
                  <KeyValues entries={Object.entries(event.attributes)} />
                </div>
              ))}
            </>
          )}
          {detail.data.links.length > 0 && (
            <>
              <h3>Links</h3>
              {detail.data.links.map((link) => (
                <div key={link.span_id}>
                  <a class="mono" href={traceHref(link.trace_id, link.span_id)}>
                    {link.trace_id}/{link.span_id}
                  </a>
                </div>
              ))}
            </>
          )}
          <h3>Resource</h3>
          <KeyValues entries={Object.entries(detail.data.resource_attributes)} />
          <p class="muted small">
            scope {detail.data.scope.name} {detail.data.scope.version}
          </p>
        </>
      )}
    </aside>
  );
}

function KeyValues({ entries }: { entries: Array<[string, string]> }) {
  if (entries.length === 0) return <p class="muted small">none</p>;
  return (
    <table class="kv">
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th>{breakable(key)}</th>
            <td class="pre">{value.length > 2000 ? `${value.slice(0, 2000)}… (${formatInt(value.length)} characters)` : value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A dotted attribute key that wraps after its dots ("deployment.<wbr>environment.<wbr>name"), not mid-word. */
function breakable(key: string) {
  return key.split('.').flatMap((part, i, parts) => (i < parts.length - 1 ? [`${part}.`, <wbr key={i} />] : [part]));
}
