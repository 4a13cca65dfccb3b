/**
 * Hash routes: every view's state lives in `#/<page>/<id>?<params>`, so a copied link reopens
 * exactly what was on screen. The hash keeps the server out of routing: `/` serves index.html and
 * every other path stays the server's (API, ClickHouse interface). Pure; router.ts follows them.
 */
export type PageName = 'calls' | 'call' | 'trace' | 'runs' | 'run' | 'agents' | 'usage' | 'compare' | 'top' | 'prices' | 'errors';

export interface Route {
  page: PageName;
  /** The id segment of detail pages (call id, trace id, run id). */
  id: string;
  params: URLSearchParams;
}

const DETAIL: Record<string, PageName> = { calls: 'call', traces: 'trace', runs: 'run' };
const LISTS: readonly PageName[] = ['calls', 'runs', 'agents', 'usage', 'compare', 'top', 'prices', 'errors'];

/** `#/calls/abc?x=1` -> { page: 'call', id: 'abc', params }. Unknown paths fall back to Calls. */
export function parseRoute(hash: string): Route {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const question = text.indexOf('?');
  const path = question === -1 ? text : text.slice(0, question);
  const params = new URLSearchParams(question === -1 ? '' : text.slice(question + 1));
  const [first = '', second, ...rest] = path.split('/').filter((segment) => segment !== '');
  if (second !== undefined && rest.length === 0 && DETAIL[first]) {
    return { page: DETAIL[first]!, id: safeDecode(second), params };
  }
  if (second === undefined && (LISTS as readonly string[]).includes(first)) return { page: first as PageName, id: '', params };
  return { page: 'calls', id: '', params };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

type ParamValue = string | number | boolean | null | undefined;

/** Builds a hash link; empty, null and false parameters are left out so links stay short. */
export function href(path: string, params: Record<string, ParamValue> | URLSearchParams = {}): string {
  const query = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [key, value] of entries) {
    if (value === null || value === undefined || value === '' || value === false) continue;
    query.set(key, value === true ? '1' : String(value));
  }
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export const callHref = (id: string) => `#/calls/${encodeURIComponent(id)}`;
export const traceHref = (id: string, span?: string) => href(`/traces/${encodeURIComponent(id)}`, { span });
export const runHref = (id: string) => `#/runs/${encodeURIComponent(id)}`;

/** The current params with some changed; `null` removes one. */
export function withParams(params: URLSearchParams, changes: Record<string, ParamValue>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === '' || value === false) next.delete(key);
    else next.set(key, value === true ? '1' : String(value));
  }
  return next;
}
