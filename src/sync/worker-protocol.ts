/** What the page and the service worker say to each other: trigger messages and the Comlink API. */
import type { EngineCalls } from './engine-handle.ts';
import type { PageTrigger } from './triggers.ts';

/**
 * Fire-and-forget messages posted to the worker's global scope: a page trigger (see `TRIGGERS`),
 * or the update flow's. They arrive as extendable `message` events, so the worker keeps itself
 * alive (`waitUntil`) while the drain they start runs.
 */
export type WorkerMessage =
  | { type: PageTrigger }
  | { type: 'poke'; cursor: number | null }
  | { type: 'account-changed' }
  | { type: 'SKIP_WAITING' };

/** Posted with a MessagePort; the worker exposes `WorkerApi` on it with Comlink. */
export const CONNECT_MESSAGE = 'burrow-connect';

/** The calls a page makes on the worker's engine over Comlink. */
export interface WorkerApi extends EngineCalls {
  /** Answers at once: proves the port is alive. */
  ping(): string;
}

/** The Background Sync queue name; Workbox registers the tag `workbox-background-sync:<name>`. */
export const SYNC_QUEUE_NAME = 'burrow-outbox';
/** The Periodic Background Sync tag. */
export const PERIODIC_SYNC_TAG = 'burrow-periodic';
