/**
 * The time window (presets and absolute), the call filters with their facet counts, and the
 * full-text search. Every control writes the page's URL; the page reads it back.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CallFacets } from '../../server/viewer-api/types.js';
import { formatInt } from '../format.js';
import { activeFilters, fromLocalInput, RANGES, toLocalInput, windowOf } from '../filters.js';
import { withParams } from '../router.js';

export function TimeRange({
  params,
  onChange,
  presets = RANGES.map(([name]) => name),
}: {
  params: URLSearchParams;
  onChange(next: URLSearchParams): void;
  presets?: readonly string[];
}) {
  const window = windowOf(params);
  const [custom, setCustom] = useState(window.range === null);
  return (
    <div class="time-range" role="group" aria-label="time range">
      {presets.map((name) => (
        <button
          key={name}
          type="button"
          class={`seg${window.range === name && !custom ? ' on' : ''}`}
          onClick={() => {
            setCustom(false);
            onChange(withParams(params, { range: name, start: null, end: null, cursor: null }));
          }}
          data-range={name}
        >
          {name}
        </button>
      ))}
      <button type="button" class={`seg${custom || window.range === null ? ' on' : ''}`} onClick={() => setCustom(true)}>
        Custom
      </button>
      {(custom || window.range === null) && (
        <span class="absolute">
          <input
            type="datetime-local"
            aria-label="from"
            value={toLocalInput(window.start)}
            onChange={(e) => {
              const start = fromLocalInput((e.target as HTMLInputElement).value);
              if (start)
                onChange(withParams(params, { range: null, start: start.toISOString(), end: window.end.toISOString(), cursor: null }));
            }}
          />
          <span class="muted">to</span>
          <input
            type="datetime-local"
            aria-label="to"
            value={toLocalInput(window.end)}
            onChange={(e) => {
              const end = fromLocalInput((e.target as HTMLInputElement).value);
              if (end)
                onChange(withParams(params, { range: null, start: window.start.toISOString(), end: end.toISOString(), cursor: null }));
            }}
          />
        </span>
      )}
    </div>
  );
}

const FACET_LABELS: Array<[keyof CallFacets, string]> = [
  ['agent_id', 'Agent'],
  ['run_id', 'Run'],
  ['model', 'Model'],
  ['provider', 'Provider'],
  ['call_type', 'Call type'],
  ['tag', 'Tag'],
];

export function FilterBar({
  params,
  facets,
  onChange,
}: {
  params: URLSearchParams;
  facets: CallFacets | undefined;
  onChange(next: URLSearchParams, replace?: boolean): void;
}) {
  const set = (changes: Record<string, string | null>, replace = false) =>
    onChange(withParams(params, { ...changes, cursor: null }), replace);
  const [q, setQ] = useState(params.get('q') ?? '');
  useEffect(() => setQ(params.get('q') ?? ''), [params.get('q')]);
  const active = activeFilters(params);
  return (
    <div class="filters">
      <div class="filter-row">
        <TimeRange params={params} onChange={(next) => onChange(next)} />
        <form
          class="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            set({ q: q.trim() || null });
          }}
        >
          <input
            data-search
            type="search"
            placeholder="Search request and response text  ( / )"
            value={q}
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
            aria-label="full-text search"
          />
        </form>
      </div>
      <div class="filter-row facets">
        {FACET_LABELS.map(([name, label]) => {
          const value = params.get(name) ?? '';
          const options = facets?.[name] ?? [];
          const known = options.some((o) => o.value === value);
          return (
            <label key={name} class={`facet${value ? ' set' : ''}`}>
              <span>{label}</span>
              <select value={value} onChange={(e) => set({ [name]: (e.target as HTMLSelectElement).value || null })} data-facet={name}>
                <option value="">all{options.length ? ` (${options.length}${options.length >= 50 ? '+' : ''})` : ''}</option>
                {value && !known && <option value={value}>{value}</option>}
                {options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.value === '' ? '(none)' : o.value} · {formatInt(o.count)}
                  </option>
                ))}
              </select>
            </label>
          );
        })}
        <label class={`facet check${params.get('errors') ? ' set' : ''}`}>
          <input
            type="checkbox"
            checked={params.get('errors') === '1'}
            onChange={(e) => set({ errors: (e.target as HTMLInputElement).checked ? '1' : null })}
            data-filter="errors"
          />
          <span>Errors only</span>
        </label>
        <NumberFilter label="Min cost" unit="USD" name="min_cost" params={params} onSet={set} step="any" />
        <NumberFilter label="Min prompt" unit="tokens" name="min_prompt_tokens" params={params} onSet={set} step="1" />
        {active.length > 0 && (
          <button type="button" class="small" onClick={() => set(Object.fromEntries(active.map((name) => [name, null])))}>
            Clear {active.length} filter{active.length > 1 ? 's' : ''}
          </button>
        )}
      </div>
    </div>
  );
}

function NumberFilter({
  label,
  unit,
  name,
  params,
  onSet,
  step,
}: {
  label: string;
  /** Shown in the empty field, so the label stays as narrow as the field. */
  unit: string;
  name: string;
  params: URLSearchParams;
  onSet(changes: Record<string, string | null>): void;
  step: string;
}) {
  const [value, setValue] = useState(params.get(name) ?? '');
  useEffect(() => setValue(params.get(name) ?? ''), [params.get(name)]);
  const commit = () => {
    const trimmed = value.trim();
    if (trimmed !== (params.get(name) ?? '')) onSet({ [name]: trimmed === '' ? null : trimmed });
  };
  return (
    <label class={`facet${params.get(name) ? ' set' : ''}`}>
      <span>{label}</span>
      <input
        class="num-input"
        type="number"
        min="0"
        step={step}
        placeholder={unit}
        title={`${label} (${unit})`}
        value={value}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
        data-filter={name}
      />
    </label>
  );
}
