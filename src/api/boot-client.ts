/** Starts Burrow in a page: registers the service worker, creates the client, exposes `window.burrow`. */
import { registerServiceWorker } from '../sync/page/registration.ts';
import type { BurrowClient } from './client.ts';
import { createClient } from './create-client.ts';
import { installConsoleApi } from './install-console-api.ts';

export interface BootOptions {
  /** A new version is waiting; call `apply` when the person agrees (the page then reloads). */
  onUpdateReady?(apply: () => void): void;
}

/** Call once from the page entry. Nothing waits for the worker: the client works without one. */
export function bootClient(options: BootOptions = {}): BurrowClient {
  const client = createClient();
  installConsoleApi(client);
  void registerServiceWorker({ onUpdateReady: options.onUpdateReady ?? (() => {}) }).catch((error) => {
    console.warn('Burrow: service worker registration failed; syncing from the page', error);
  });
  return client;
}
