/** Following the hash route: navigation and the current route as a hook. */
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from './route.js';

export * from './route.js';

export function navigate(target: string, replace = false): void {
  if (replace) history.replaceState(history.state, '', target);
  else history.pushState(null, '', target);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', update);
    window.addEventListener('popstate', update);
    return () => {
      window.removeEventListener('hashchange', update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}
