/** Small shared pieces: loading skeletons, failure notices, stat tiles, badges, copy buttons, money. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiFailure } from '../api.js';
import { exactCost, formatCost } from '../format.js';

/** Grey bars the size of what is coming, so nothing moves when it arrives. */
export function Skeleton({ rows = 8, height = 28 }: { rows?: number; height?: number }) {
  return (
    <div class="skeleton" aria-busy="true" aria-label="loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} class="skeleton-row" style={{ height: `${height}px` }} />
      ))}
    </div>
  );
}

const ADVICE: Record<ApiFailure['kind'], ComponentChildren> = {
  down: (
    <>
      Start it again with <code>npx llm-traces serve</code> (or <code>npx llm-traces ui</code>), then retry.
    </>
  ),
  auth: (
    <>
      This server needs you to sign in: open the address <code>llm-traces serve</code> printed (with <code>?token=</code>).
    </>
  ),
  forbidden: (
    <>
      This session may not read it. A credential bound to organizations names one in the address: <code>/?org=NAME</code>.
    </>
  ),
  not_found: 'It may be outside the store\u2019s time window, in another organization, or removed by the TTL.',
  client: 'The request was refused; the message says which parameter is wrong.',
  server: 'The server failed to answer; its log has the details.',
};

const TITLES: Record<ApiFailure['kind'], string> = {
  down: 'The server is not reachable',
  auth: 'Sign in to this server',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  client: 'Bad request',
  server: 'Server error',
};

export function ErrorView({ error, retry }: { error: ApiFailure; retry?: () => void }) {
  return (
    <div class={`failure failure-${error.kind}`} role="alert" data-failure={error.kind}>
      <strong>
        {TITLES[error.kind]}
        {error.status ? ` (HTTP ${error.status})` : ''}
      </strong>
      <p>{error.message}</p>
      <p class="muted">{ADVICE[error.kind]}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export interface Tile {
  label: string;
  value: ComponentChildren;
  title?: string;
  detail?: ComponentChildren;
  tone?: 'error' | 'warn';
}

export function Tiles({ tiles, loading = false }: { tiles: Tile[]; loading?: boolean }) {
  return (
    <div class={`tiles${loading ? ' loading' : ''}`}>
      {tiles.map((tile) => (
        <div key={tile.label} class={`tile${tile.tone ? ` tone-${tile.tone}` : ''}`} title={tile.title}>
          <div class="tile-label">{tile.label}</div>
          <div class="tile-value" data-tile={tile.label}>
            {tile.value}
          </div>
          {tile.detail !== undefined && <div class="tile-detail">{tile.detail}</div>}
        </div>
      ))}
    </div>
  );
}

/**
 * A cost, with the exact stored decimal in its title; unknown prices are flagged, never $0. A call
 * that reported no usage has nothing to price: a dash.
 */
export function Cost({
  value,
  priced = value !== null,
  usage = true,
}: {
  value: string | null | undefined;
  priced?: boolean;
  usage?: boolean;
}) {
  if (!usage) {
    return (
      <span class="muted" title="no usage reported: nothing to price">
        —
      </span>
    );
  }
  if (value === null || value === undefined || !priced) {
    return (
      <span class="unpriced" title="no known price for this model: see Prices">
        unpriced
      </span>
    );
  }
  return <span title={exactCost(value)}>{formatCost(value)}</span>;
}

export function Badge({
  tone = 'plain',
  children,
  title,
}: {
  tone?: 'plain' | 'ok' | 'error' | 'warn' | 'accent';
  children: ComponentChildren;
  title?: string;
}) {
  return (
    <span class={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function Status({ error, type, title }: { error: boolean; type?: string; title?: string }) {
  return error ? (
    <Badge tone="error" title={title || type || 'error'}>
      {type || 'error'}
    </Badge>
  ) : (
    <Badge tone="ok">ok</Badge>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string | (() => string); label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    const value = typeof text === 'function' ? text() : text;
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard access can be refused (no secure context, no permission): select a copy instead.
      const area = document.createElement('textarea');
      area.value = value;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1200);
  };
  return (
    <button type="button" class="small" onClick={copy} title="copy to the clipboard">
      {done ? 'Copied' : label}
    </button>
  );
}

export function Section({
  title,
  actions,
  children,
  id,
}: {
  title: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="card" id={id}>
      <header class="card-head">
        <h2>{title}</h2>
        {actions && <div class="card-actions">{actions}</div>}
      </header>
      <div class="card-body">{children}</div>
    </section>
  );
}

/** A key/value list for ids and context. Empty values are left out. */
export function Facts({ rows }: { rows: Array<[string, ComponentChildren]> }) {
  const shown = rows.filter(([, value]) => value !== '' && value !== null && value !== undefined);
  return (
    <dl class="facts">
      {shown.map(([key, value]) => (
        <div key={key} class="fact">
          <dt>{key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Page title row with actions on the right. */
export function PageHead({ title, sub, actions }: { title: ComponentChildren; sub?: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <div class="page-head">
      <div>
        <h1>{title}</h1>
        {sub && <div class="page-sub">{sub}</div>}
      </div>
      {actions && <div class="page-actions">{actions}</div>}
    </div>
  );
}
