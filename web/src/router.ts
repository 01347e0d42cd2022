// Client-side routes under /app/: the wallet (default), the merchant console, the dashboard.
import { useCallback, useSyncExternalStore } from 'react';

export const ROUTES = ['wallet', 'merchants', 'dashboard'] as const;
export type Route = (typeof ROUTES)[number];
const BASE = '/app/';

export function routeOf(pathname: string): Route {
  const first = pathname.startsWith(BASE) ? pathname.slice(BASE.length).split('/')[0] : '';
  return (ROUTES as readonly string[]).includes(first) ? (first as Route) : 'wallet';
}

export function hrefOf(route: Route): string {
  return `${BASE}${route}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  return () => window.removeEventListener('popstate', onChange);
}

export function useRoute(): [Route, (route: Route) => void] {
  const pathname = useSyncExternalStore(subscribe, () => window.location.pathname);
  const go = useCallback((route: Route) => {
    window.history.pushState(null, '', hrefOf(route));
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, []);
  return [routeOf(pathname), go];
}
