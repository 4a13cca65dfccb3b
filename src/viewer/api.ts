/**
 * The viewer's only I/O: same-origin GETs (and the what-if POST) to the JSON API under /api/v1/.
 * The session cookie that `llm-traces serve` sets from its printed `?token=` address rides along
 * by default. Every failure becomes an `ApiFailure` that says what happened and what to do.
 */
import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';

export type FailureKind = 'down' | 'auth' | 'forbidden' | 'not_found' | 'client' | 'server';

/** ClickHouse's AUTHENTICATION_FAILED: what the server answers a browser without its session cookie. */
const AUTHENTICATION_FAILED = '516';

export class ApiFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly status: number,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * The organization to read, from the page address's query (`/?org=acme#/calls`), outside the hash
 * so every view keeps it. Absent: the server's scope for this session. The server decides whether
 * the session may read it.
 */
export function selectedOrganization(): string | null {
  return new URLSearchParams(location.search).get('org');
}

export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  const org = selectedOrganization();
  if (org !== null) params.set('organization_id', org);
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '' || value === false) continue;
    params.set(key, value === true ? '1' : String(value));
  }
  const text = params.toString();
  return `/api/v1/${path}${text ? `?${text}` : ''}`;
}

export async function apiGet<T>(path: string, query: Query = {}, signal?: AbortSignal, init: RequestInit = {}): Promise<T> {
  const url = apiUrl(path, query);
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' }, signal, ...init });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiFailure('down', 0, `Cannot reach llm-traces serve at ${location.host}. Is it still running?`, url);
  }
  const body = await response.text();
  let json: unknown;
  try {
    json = body === '' ? undefined : JSON.parse(body);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const message =
      json !== null && typeof json === 'object' && typeof (json as { error?: unknown }).error === 'string'
        ? (json as { error: string }).error
        : body.slice(0, 300) || response.statusText;
    // A 403 for another reason (an organization this session may not read) is no sign-in matter.
    const kind: FailureKind =
      response.status === 401 || (response.status === 403 && response.headers.get('X-ClickHouse-Exception-Code') === AUTHENTICATION_FAILED)
        ? 'auth'
        : response.status === 403
          ? 'forbidden'
          : response.status === 404
            ? 'not_found'
            : response.status < 500
              ? 'client'
              : 'server';
    const failure = new ApiFailure(kind, response.status, message, url);
    if (kind === 'auth') for (const listener of signedOut) listener(failure);
    throw failure;
  }
  if (json === undefined)
    throw new ApiFailure('server', response.status, `the server answered ${url} with something that is not JSON`, url);
  return json as T;
}

export function apiPost<T>(path: string, query: Query, body: unknown, signal?: AbortSignal): Promise<T> {
  return apiGet<T>(path, query, signal, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
  });
}

/** Requests started before their view mounted (first-request.ts), by URL, until the view takes them. */
const early = new Map<string, Promise<unknown>>();

export function startEarly(path: string, query: Query = {}): void {
  const request = apiGet(path, query);
  // Handled by the view that takes it; one that never mounts leaves no unhandled rejection behind.
  request.catch(() => undefined);
  early.set(apiUrl(path, query), request);
  // Only the first view may take them: a later visit asks afresh.
  addEventListener('hashchange', () => early.clear(), { once: true });
}

function takeEarly<T>(url: string): Promise<T> | undefined {
  const request = early.get(url);
  early.delete(url);
  return request as Promise<T> | undefined;
}

const signedOut = new Set<(failure: ApiFailure) => void>();

/**
 * The first request refused for want of a session (the server restarted with a new token, the
 * cookie was cleared), from whichever page made it: the shell then shows the sign-in page alone.
 */
export function useSignedOut(): ApiFailure | undefined {
  const [failure, setFailure] = useState<ApiFailure>();
  useLayoutEffect(() => {
    const listener = (f: ApiFailure) => setFailure((current) => current ?? f);
    signedOut.add(listener);
    return () => void signedOut.delete(listener);
  }, []);
  return failure;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiFailure | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Fetches `path` whenever the key (path and query) changes; a newer request aborts the older
 * one. The last data stays while the next loads, so tables do not blink or shift. A null path
 * fetches nothing. With `after` true the request waits (showing the last data) until `after`
 * turns false: a page lets its main request have the server to itself first.
 */
export function useApi<T>(path: string | null, query: Query = {}, after = false): Loaded<T> {
  const key = path === null ? null : apiUrl(path, query);
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiFailure; loading: boolean }>({
    key,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const queryRef = useRef(query);
  queryRef.current = query;
  // A layout effect starts the request right after the render, not after the next frame is painted.
  useLayoutEffect(() => {
    if (path === null || after) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    // An early request cannot be aborted: its answer is dropped once a newer one is asked for.
    (takeEarly<T>(key!) ?? apiGet<T>(path, queryRef.current, controller.signal)).then(
      (data) => controller.signal.aborted || setState({ key, data, loading: false }),
      (error: unknown) => {
        if ((error as Error).name === 'AbortError' || controller.signal.aborted) return;
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: toFailure(error, key ?? ''), loading: false }));
      },
    );
    return () => controller.abort();
  }, [key, tick, after]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // Nothing asked for, nothing to show: no leftover from an earlier request.
  if (path === null) return { data: undefined, error: undefined, loading: false, reload };
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function toFailure(error: unknown, path: string): ApiFailure {
  return error instanceof ApiFailure ? error : new ApiFailure('server', 0, (error as Error)?.message ?? String(error), path);
}
