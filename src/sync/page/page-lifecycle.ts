/**
 * What the page's lifecycle asks of sync: a trigger when it comes back online, when the tab is
 * shown again, and every `pingIntervalMs` while it is open (Chromium retries a failed `sync`
 * event only after 5 and 15 minutes); a status read when it goes offline; a goodbye on `pagehide`;
 * a hand-over when a worker takes control.
 */
import type { Timers } from '../timers.ts';
import type { PageTrigger } from '../triggers.ts';

export interface PageLifecycleDeps {
  trigger(trigger: PageTrigger): void;
  /** The browser says it is offline. */
  offline(): void;
  /** The page is going away (closed, navigated, put in the back/forward cache). */
  leaving(): void;
  /** A service worker took control of the page. */
  controlled(): void;
  container: Pick<ServiceWorkerContainer, 'addEventListener'> | null;
  timers: Timers;
  pingIntervalMs: number;
}

/** Listens for the rest of the page's life (nothing outside a window). */
export function watchPageLifecycle(deps: PageLifecycleDeps): void {
  if (typeof window === 'undefined') return;
  window.addEventListener('online', () => deps.trigger('online'));
  window.addEventListener('offline', () => deps.offline());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') deps.trigger('visible');
  });
  window.addEventListener('pagehide', () => deps.leaving());
  deps.container?.addEventListener('controllerchange', () => deps.controlled());
  const ping = () => {
    deps.trigger('ping');
    deps.timers.setTimeout(ping, deps.pingIntervalMs);
  };
  deps.timers.setTimeout(ping, deps.pingIntervalMs);
}
