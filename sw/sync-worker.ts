/**
 * The sync engine inside the service worker: its triggers (page messages, Background Sync
 * through a Workbox Queue whose `onSync` runs our drain, periodic sync, navigations, worker
 * start and activation) and the Comlink API the pages call over a MessageChannel port.
 *
 * Wake paths. The browser starts this worker for an event and stops it once idle, and its retry
 * timers die with it; where there is no Background Sync (Firefox, Safari) nothing but such an
 * event runs it again. So whatever woke it (a navigation or any fetch it handles, a message, a
 * sync or periodic sync, the activation of a new version), it drains first and holds that event
 * open until the drain has ended: an idle stop must not cut it short. A navigation drains at
 * once, backoff or not (the person is here). A version that is only installed does not drain: it
 * must not open the database beside the active one (see `startSyncWorker`).
 */
/// <reference lib="webworker" />
import { expose } from 'comlink';
import { Queue } from 'workbox-background-sync';
import { openActiveStore, type SyncDirectory } from '../src/store/account-directory.ts';
import { openSyncChannel } from '../src/sync/broadcast.ts';
import { COMMIT_COALESCE_MS } from '../src/sync/commit-gathering.ts';
import { engineCalls, SyncEngine } from '../src/sync/sync-engine.ts';
import { systemTimers } from '../src/sync/timers.ts';
import { isPageTrigger } from '../src/sync/triggers.ts';
import {
  CONNECT_MESSAGE,
  PERIODIC_SYNC_TAG,
  SYNC_QUEUE_NAME,
  type WorkerApi,
  type WorkerMessage,
} from '../src/sync/worker-protocol.ts';

interface PeriodicSyncEvent extends ExtendableEvent {
  tag: string;
}

/**
 * How often a commit asks for a `sync` event. The commit's own message keeps this worker alive
 * until its drain is done, and a drain that fails or finds the network gone registers at once;
 * so while deliveries succeed, registering on every commit only fired a sync event (a drain and
 * a pull) per commit, competing with the next commit for the database.
 */
const COMMIT_REGISTRATION_INTERVAL_MS = 30_000;

/** Starts the engine in this worker. Call once, at the top level of the worker script. */
export function startSyncWorker(scope: ServiceWorkerGlobalScope, directory: SyncDirectory): SyncEngine {
  let registeredAt = Number.NEGATIVE_INFINITY;
  // The queue never holds requests: it only wires the `sync` event (and its fallback) to our drain.
  let queue: Queue | null = null;
  // A registration made while a sync event fires has the browser fire another as soon as this one
  // ends: a forced drain that ignores the server's Retry-After. The event's own failure already
  // has the browser retry it later (5 minutes on, in Chromium), so while one fires none is made.
  let syncEventsFiring = 0;
  const registerSync = async () => {
    if (syncEventsFiring === 0) await queue?.registerSync();
  };
  const engine = new SyncEngine({
    openActive: () => openActiveStore(directory),
    fetch: (input, init) => scope.fetch(input, init),
    now: () => Date.now(),
    random: () => Math.random(),
    timers: systemTimers,
    isOnline: () => scope.navigator.onLine,
    channel: openSyncChannel(),
    // Works only while a window is open: that is when commits and failures happen anyway.
    requestBackgroundSync: registerSync,
    commitCoalesceMs: COMMIT_COALESCE_MS,
  });
  queue = new Queue(SYNC_QUEUE_NAME, {
    onSync: async () => {
      syncEventsFiring++;
      try {
        const status = await engine.syncEvent();
        // A rejected sync event is retried by the browser later; our own timers retry sooner.
        if (status.pending > 0 && ['offline', 'unreachable', 'error'].includes(status.state)) {
          throw new Error(`outbox not empty: ${status.state}`);
        }
      } finally {
        syncEventsFiring--;
      }
    },
  });

  const api: WorkerApi = { ping: () => 'pong', ...engineCalls(engine) };

  // The drain this life of the worker started with (null while only installed).
  let wakeDrain: Promise<void> | null = null;
  const holdWakeDrain = (event: ExtendableEvent) => {
    if (wakeDrain) event.waitUntil(wakeDrain);
  };

  // Added before any route: a listener after one that called `respondWith` never hears the event.
  scope.addEventListener('fetch', (event) => {
    if (event.request.mode === 'navigate') event.waitUntil(engine.trigger('navigation'));
    else holdWakeDrain(event);
  });

  scope.addEventListener('message', (event) => {
    holdWakeDrain(event);
    const data = event.data as WorkerMessage | { type: typeof CONNECT_MESSAGE } | null;
    if (!data || typeof data.type !== 'string') return;
    if (data.type === CONNECT_MESSAGE) {
      if (event.ports[0]) expose(api, event.ports[0]);
      return;
    }
    if (data.type === 'SKIP_WAITING') {
      event.waitUntil(scope.skipWaiting());
      return;
    }
    if (data.type === 'account-changed') {
      event.waitUntil(engine.accountChanged());
      return;
    }
    if (data.type === 'poke') {
      event.waitUntil(engine.pull(cursorOf(data.cursor)));
      return;
    }
    const trigger = data.type;
    if (!isPageTrigger(trigger)) return;
    if (trigger === 'committed' && Date.now() - registeredAt >= COMMIT_REGISTRATION_INTERVAL_MS) {
      registeredAt = Date.now();
      void registerSync();
    }
    event.waitUntil(trigger === 'sync-now' ? engine.syncNow() : engine.trigger(trigger));
  });

  scope.addEventListener('periodicsync', (event) => {
    const periodic = event as PeriodicSyncEvent;
    holdWakeDrain(periodic);
    if (periodic.tag === PERIODIC_SYNC_TAG) periodic.waitUntil(engine.syncNow());
  });

  scope.addEventListener('activate', (event) => {
    // The first load gets a controller quickly, so its commits are delivered by the worker. A new
    // version's activation is a wake too: the old worker, and its timers, are gone.
    wakeDrain = scope.clients.claim().then(() => engine.trigger('start'));
    event.waitUntil(wakeDrain);
  });

  // A new version waiting for the person's Reload must not deliver beside the active worker:
  // two engines would compete for the drain lock, and an old worker's event waiting for a lock
  // held by the new one can hold up the swap. It starts on `activate`; an active worker the
  // browser restarted starts here.
  if (scope.serviceWorker?.state !== 'installing' && scope.serviceWorker?.state !== 'installed') {
    wakeDrain = engine.trigger('start');
  }
  return engine;
}

/** A poke's cursor as a page posted it: a seq, or none (a (re)connection: pull whatever the cursor). */
function cursorOf(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}
