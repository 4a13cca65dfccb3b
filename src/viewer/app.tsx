/**
 * The shell: navigation, the session's organization, and the page of the current route. Pages
 * other than Calls load as their own chunks on first use, so the home page downloads only itself.
 */
import type { ComponentType } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { ApiFailure, selectedOrganization, useApi, useSignedOut } from './api.js';
import type { SessionInfo } from '../server/viewer-api/types.js';
import { ErrorView, Skeleton } from './components/ui.js';
import { CallsPage } from './pages/calls.js';
import { useRoute, type PageName, type Route } from './router.js';

type PageModule = { default: ComponentType<{ route: Route }> };

const LAZY: Partial<Record<PageName, () => Promise<PageModule>>> = {
  call: () => import('./pages/call.js'),
  trace: () => import('./pages/trace.js'),
  run: () => import('./pages/run.js'),
  runs: () => import('./pages/runs.js'),
  agents: () => import('./pages/agents.js'),
  usage: () => import('./pages/usage.js'),
  compare: () => import('./pages/compare.js'),
  top: () => import('./pages/top.js'),
  prices: () => import('./pages/prices.js'),
  errors: () => import('./pages/errors.js'),
};

const loading = new Map<PageName, Promise<PageModule>>();

/** The code of a page that loads as its own chunk, fetched once; undefined for the Calls page (in the bundle). */
export function loadPage(page: PageName): Promise<PageModule> | undefined {
  const loader = LAZY[page];
  if (!loader) return undefined;
  let module = loading.get(page);
  if (!module) {
    module = loader();
    // A failed load is retried by the next visit (and reported by this one's PageView).
    module.catch(() => loading.delete(page));
    loading.set(page, module);
  }
  return module;
}

const NAV: Array<[string, string, PageName[]]> = [
  ['#/calls', 'Calls', ['calls', 'call']],
  ['#/runs', 'Runs', ['runs', 'run', 'trace']],
  ['#/agents', 'Agents', ['agents']],
  ['#/usage', 'Usage', ['usage']],
  ['#/top', 'Top', ['top']],
  ['#/errors', 'Errors', ['errors']],
  ['#/prices', 'Prices', ['prices']],
  ['#/compare', 'Compare', ['compare']],
];

export function App() {
  const route = useRoute();
  const session = useApi<SessionInfo>('session');
  const signedOut = useSignedOut();
  const failure = signedOut ?? session.error;
  useEffect(() => window.scrollTo(0, 0), [route.page, route.id]);
  // The same element while the route stays: the shell's own updates (the session arriving) do not redraw a page of 100 rows.
  const page = useMemo(() => <PageView route={route} />, [route]);
  // A credential bound to organizations opens on the first of them unless the address names one it may read.
  useEffect(() => {
    const bound = session.data?.organizations;
    if (bound && bound.length > 0 && !bound.includes(selectedOrganization() ?? session.data!.organization_id))
      chooseOrganization(bound[0]!);
  }, [session.data]);
  return (
    <div class="app">
      <header class="top">
        <a class="brand" href="#/calls">
          llm-traces
        </a>
        {failure?.kind !== 'auth' && (
          <nav>
            {NAV.map(([target, label, pages]) => (
              <a key={target} href={target} class={pages.includes(route.page) ? 'on' : undefined}>
                {label}
              </a>
            ))}
          </nav>
        )}
        <div class="session" title="every view is scoped to this organization">
          {session.data && <Organization session={session.data} />}
        </div>
      </header>
      {/* Signed out, every page would fail the same way: the sign-in page alone, reloaded to retry. */}
      <main>{failure ? <ErrorView error={failure} retry={signedOut ? () => location.reload() : session.reload} /> : page}</main>
    </div>
  );
}

function PageView({ route }: { route: Route }) {
  const lazy = route.page in LAZY;
  const [loaded, setLoaded] = useState<{ page: PageName; module: PageModule } | { page: PageName; error: Error } | null>(null);
  useLayoutEffect(() => {
    let current = true;
    loadPage(route.page)?.then(
      (module) => current && setLoaded({ page: route.page, module }),
      (error: Error) => current && setLoaded({ page: route.page, error }),
    );
    return () => {
      current = false;
    };
  }, [route.page]);
  if (!lazy) return <CallsPage route={route} />;
  if (!loaded || loaded.page !== route.page) return <Skeleton rows={12} />;
  if ('error' in loaded)
    return (
      <ErrorView
        error={new ApiFailure('down', 0, `This page's code could not be loaded (${loaded.error.message}).`, '')}
        retry={() => location.reload()}
      />
    );
  const Page = loaded.module.default;
  return <Page route={route} />;
}

/**
 * The scoped organization; a picker of the organizations the session's credential is bound to
 * when there are several. A credential that may read any has no list to offer: its organization
 * is chosen in the address (`/?org=acme`).
 */
function Organization({ session }: { session: SessionInfo }) {
  const current = selectedOrganization() ?? session.organization_id;
  const label = (org: string) => org || '(default)';
  return (
    <>
      <span class="muted">org </span>
      {session.organizations && session.organizations.length > 1 ? (
        <select
          value={current}
          onChange={(e) => chooseOrganization((e.target as HTMLSelectElement).value)}
          aria-label="organization"
          data-org-picker
        >
          {[...new Set([current, ...session.organizations])].map((org) => (
            <option key={org} value={org}>
              {label(org)}
            </option>
          ))}
        </select>
      ) : (
        <span class="mono" data-org>
          {label(current)}
        </span>
      )}
      <span class="muted"> · v{session.version}</span>
    </>
  );
}

/** Reloads the viewer for another organization (the address's `?org=`, outside the hash). */
function chooseOrganization(org: string): void {
  const search = new URLSearchParams(location.search);
  search.set('org', org);
  location.search = search.toString();
}
