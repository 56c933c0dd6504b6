/** Puts the client on `window.burrow` for the console and the browser tests. */
import type { BurrowClient } from './client.ts';

declare global {
  interface Window {
    /** The Burrow client; `await burrow.ready` before the first call. */
    burrow?: BurrowClient;
  }
}

/** Exposes `client` as `window.burrow` (its `ready` promise included). */
export function installConsoleApi(client: BurrowClient, target: Window = window): void {
  target.burrow = client;
}
