/**
 * Prices at read time: the price table behind every cost, the models without a price (their
 * calls have no cost, never $0), and a what-if: edited rates priced over the stored calls, with
 * the prices file and the `llm-traces reprice` command that would apply them.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiPost, toFailure, useApi, type ApiFailure } from '../api.js';
import type { PriceEntry, PriceListing, PricesResponse, WhatIfResponse } from '../../server/viewer-api/types.js';
import { TimeRange } from '../components/filter-bar.js';
import { Badge, CopyButton, Cost, ErrorView, PageHead, Section, Skeleton } from '../components/ui.js';
import { downloadText } from '../components/download.js';
import { apiFilters, windowOf } from '../filters.js';
import { formatCost, formatInt, formatRate, UNKNOWN } from '../format.js';
import { subtractMoney } from '../money.js';
import { href, navigate, withParams, type Route } from '../router.js';

/** One edited rate set, in the prices-file format that `reprice --prices-file` reads. */
type EditedPrice = PriceEntry;

const perM = (value: number | undefined) => formatRate(value);

export default function PricesPage({ route }: { route: Route }) {
  const { params } = route;
  const [now] = useState(() => new Date());
  const window = windowOf(params, now, '30d');
  const prices = useApi<PricesResponse>('prices', { start: window.start.toISOString(), end: window.end.toISOString() });
  const [search, setSearch] = useState(params.get('model') ?? '');
  const [edits, setEdits] = useState<EditedPrice[]>([]);
  const wanted = params.get('model') ?? '';
  // Arriving from an unpriced call or a price entry ("Try a price"): start editing that model.
  useEffect(() => {
    if (!prices.data || !wanted || edits.length > 0) return;
    const entry = prices.data.entries.find((e) => e.model === wanted);
    setEdits([entry ? fromEntry(entry) : { model: wanted, inputPerMillion: 0, outputPerMillion: 0 }]);
  }, [prices.data, wanted]);
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (prices.data?.entries ?? []).filter(
      (e) => !needle || e.model.toLowerCase().includes(needle) || (e.providers ?? []).some((p) => p.toLowerCase().includes(needle)),
    );
  }, [prices.data, search]);
  if (prices.error) return <ErrorView error={prices.error} retry={prices.reload} />;
  if (!prices.data) return <Skeleton rows={16} />;
  const p = prices.data;
  const edit = (entry: EditedPrice) => setEdits((current) => [...current.filter((e) => e.model !== entry.model), entry]);
  return (
    <div class="page prices-page">
      <PageHead
        title="Prices"
        sub={
          <span>
            price table <span class="mono">{p.version}</span> · {formatInt(p.entries.length)} entries · rates in USD per million tokens
          </span>
        }
      />
      <Section
        title={
          <span>
            Models without a price <Badge tone={p.unpriced_models.length ? 'warn' : 'ok'}>{p.unpriced_models.length}</Badge>
          </span>
        }
      >
        {p.unpriced_models.length === 0 ? (
          <p class="muted">Every stored call has a known price.</p>
        ) : (
          <table class="data" data-unpriced>
            <thead>
              <tr>
                <th>Provider</th>
                <th>Model</th>
                <th class="num">Calls without cost</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {p.unpriced_models.map((m) => (
                <tr key={`${m.provider}/${m.model}`}>
                  <td>{m.provider || '—'}</td>
                  <td>
                    <strong>{m.model || '(no model)'}</strong> <Badge tone="warn">unpriced</Badge>
                  </td>
                  <td class="num">{formatInt(m.calls)}</td>
                  <td>
                    <button
                      type="button"
                      class="small"
                      onClick={() =>
                        edit({
                          model: m.model,
                          ...(m.provider ? { providers: [m.provider] } : {}),
                          inputPerMillion: 0,
                          outputPerMillion: 0,
                        })
                      }
                    >
                      Set a price
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <WhatIfEditor edits={edits} setEdits={setEdits} params={params} />
      <Section
        title="Price table"
        actions={
          <input
            type="search"
            data-search
            placeholder="filter models"
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        }
      >
        <div class="table-wrap tall">
          <table class="data" data-price-table>
            <thead>
              <tr>
                <th>Provider</th>
                <th>Model</th>
                <th>From</th>
                <th class="num">Input</th>
                <th class="num">Cache read</th>
                <th class="num">Cache write</th>
                <th class="num">Output</th>
                <th>Source</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <tr key={`${e.providers?.join(',')}/${e.model}/${e.effectiveDate}`} class={e.model === wanted ? 'selected' : undefined}>
                  <td>{e.providers?.join(', ') || 'any'}</td>
                  <td class="mono">{e.model}</td>
                  <td>{e.effectiveDate ?? '—'}</td>
                  <td class="num">{perM(e.inputPerMillion)}</td>
                  <td class="num">{perM(e.cachedInputPerMillion)}</td>
                  <td class="num">{perM(e.cacheWritePerMillion)}</td>
                  <td class="num">{perM(e.outputPerMillion)}</td>
                  <td class="muted">{e.source}</td>
                  <td>
                    <button type="button" class="small" onClick={() => edit(fromEntry(e))}>
                      What if…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </div>
  );
}

/** A listing as an editable entry: the same fields, without where it came from. */
function fromEntry({ source: _source, ...entry }: PriceListing): EditedPrice {
  return entry;
}

const RATE_FIELDS: Array<[keyof EditedPrice, string]> = [
  ['inputPerMillion', 'Input'],
  ['cachedInputPerMillion', 'Cache read'],
  ['cacheWritePerMillion', 'Cache write'],
  ['outputPerMillion', 'Output'],
];

function WhatIfEditor({
  edits,
  setEdits,
  params,
}: {
  edits: EditedPrice[];
  setEdits(update: (current: EditedPrice[]) => EditedPrice[]): void;
  params: URLSearchParams;
}) {
  const [result, setResult] = useState<WhatIfResponse | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const window = windowOf(params, new Date(), '30d');
  const since = window.range ?? 'custom window';
  const file = JSON.stringify(edits, null, 2);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await apiPost<WhatIfResponse>('prices/what-if', apiFilters(params, new Date(), '30d'), { entries: edits }));
    } catch (e) {
      setError(toFailure(e, 'prices/what-if'));
    } finally {
      setBusy(false);
    }
  };
  const update = (model: string, field: keyof EditedPrice, value: string) =>
    setEdits((current) =>
      current.map((e) => {
        if (e.model !== model) return e;
        const next = { ...e } as Record<string, unknown>;
        if (value === '' && field !== 'inputPerMillion' && field !== 'outputPerMillion') delete next[field];
        else next[field] = Number(value);
        return next as unknown as EditedPrice;
      }),
    );
  return (
    <Section
      id="what-if"
      title="What if the prices were…"
      actions={
        <TimeRange
          params={params.has('range') || params.has('start') ? params : withParams(params, { range: '30d' })}
          onChange={(next) => navigate(href('/prices', next), true)}
          presets={['24h', '7d', '30d']}
        />
      }
    >
      {edits.length === 0 ? (
        <p class="muted">
          Pick "What if…" on a price below, or "Set a price" on an unpriced model, then change its rates to see what the stored calls would
          cost.
        </p>
      ) : (
        <>
          <table class="data what-if" data-what-if>
            <thead>
              <tr>
                <th>Model</th>
                {RATE_FIELDS.map(([, label]) => (
                  <th key={label} class="num">
                    {label} $/M
                  </th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {edits.map((e) => (
                <tr key={e.model}>
                  <td class="mono">
                    {e.model}
                    {e.providers ? <span class="muted"> ({e.providers.join(', ')})</span> : ''}
                  </td>
                  {RATE_FIELDS.map(([field, label]) => (
                    <td key={field} class="num">
                      <input
                        class="num-input"
                        type="number"
                        min="0"
                        step="any"
                        aria-label={`${e.model} ${label}`}
                        value={(e[field] as number | undefined) ?? ''}
                        onInput={(ev) => update(e.model, field, (ev.target as HTMLInputElement).value)}
                        data-rate={field}
                      />
                    </td>
                  ))}
                  <td>
                    <button type="button" class="small" onClick={() => setEdits((current) => current.filter((x) => x.model !== e.model))}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="row-actions">
            <button type="button" class="primary" onClick={run} disabled={busy} data-run-what-if>
              {busy ? 'Pricing…' : `Price the calls of the ${window.range ? `last ${since}` : since}`}
            </button>
          </div>
          {error && <ErrorView error={error} />}
          {result && (
            <table class="data" data-what-if-result>
              <thead>
                <tr>
                  <th>Model</th>
                  <th class="num">Now</th>
                  <th class="num">What if</th>
                  <th class="num">Change</th>
                </tr>
              </thead>
              <tbody>
                {result.by_model.map((m) => (
                  <tr key={`${m.provider}/${m.model}`}>
                    <td>
                      {m.model} <span class="muted">{m.provider}</span>
                    </td>
                    <td class="num">
                      <Cost value={m.current} />
                    </td>
                    <td class="num">
                      <Cost value={m.what_if} />
                    </td>
                    <td class="num">{formatChange(m.what_if, m.current)}</td>
                  </tr>
                ))}
                <tr class="total">
                  <td>All calls in the window</td>
                  <td class="num">
                    <Cost value={result.current.cost_usd} />
                  </td>
                  <td class="num" data-what-if-total>
                    <Cost value={result.what_if.cost_usd} />
                  </td>
                  <td class="num" data-what-if-change>
                    {formatChange(result.what_if.cost_usd, result.current.cost_usd)}
                  </td>
                </tr>
              </tbody>
            </table>
          )}
          <div class="apply">
            {result ? (
              <>
                <p>To apply these prices to the stored calls, save the entries below under the name the command uses and run:</p>
                <div class="command" data-reprice-command>
                  <code>{result.command}</code>
                  <CopyButton text={result.command} />
                </div>
              </>
            ) : (
              <p class="muted">Price the calls to get the `llm-traces reprice` command that applies these entries.</p>
            )}
            <p class="muted small">
              New calls use them once the exporter has them too: <code>OTEL_EXPORTER_CLICKHOUSE_PRICES_FILE=prices.json</code>.
            </p>
            <pre class="code-block">{file}</pre>
            <button type="button" class="small" onClick={() => downloadText('prices.json', file, 'application/json')}>
              Download prices.json
            </button>
          </div>
        </>
      )}
    </Section>
  );
}

/** A what-if change, signed: "+$0.0015", "-$0.20", "±0"; a model priced only by the edit is "newly priced". */
function formatChange(after: string | null, before: string | null): string {
  if (after === null) return UNKNOWN;
  if (before === null) return 'newly priced';
  const delta = subtractMoney(after, before)!;
  const sign = Math.sign(Number(delta));
  return sign === 0 ? '±0' : `${sign > 0 ? '+' : ''}${formatCost(delta)}`;
}
