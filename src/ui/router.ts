/** A tiny path router over the History API: the app's few routes, and navigation between them. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'cards' }
  | { name: 'collection'; id: string }
  | { name: 'todos' }
  | { name: 'agenda' }
  | { name: 'trash' }
  | { name: 'import' }
  | { name: 'share' };

/** The route of a path; unknown paths show the cards. */
export function parseRoute(pathname: string): Route {
  const collection = /^\/collections\/([0-9a-f-]{36})$/.exec(pathname);
  if (collection) return { name: 'collection', id: collection[1] };
  const simple = ['todos', 'agenda', 'trash', 'import', 'share'] as const;
  for (const name of simple) if (pathname === `/${name}`) return { name };
  return { name: 'cards' };
}

/** The path of a route. */
export function routePath(route: Route): string {
  if (route.name === 'cards') return '/';
  if (route.name === 'collection') return `/collections/${route.id}`;
  return `/${route.name}`;
}

const NAVIGATE_EVENT = 'burrow:navigate';

/** Goes to `route`, adding a history entry (or replacing the current one). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = routePath(route);
  if (options.replace) history.replaceState(null, '', path);
  else if (location.pathname !== path) history.pushState(null, '', path);
  dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The current route, following links, back and forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', update);
    addEventListener(NAVIGATE_EVENT, update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return route;
}
