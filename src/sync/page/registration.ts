/**
 * Registers the service worker with workbox-window and runs the update flow: a new worker
 * waits until the person agrees; then it is told to skip waiting and the page reloads once
 * it controls. A waiting worker never takes over by itself. The outbox lives in IndexedDB,
 * so it survives the switch; a batch in flight when the old worker goes is resent with the
 * same idempotency key and answered from the server's stored response.
 */
import { Workbox } from 'workbox-window';
import { PERIODIC_SYNC_TAG } from '../worker-protocol.ts';

export interface RegistrationOptions {
  url?: string;
  /** A new version is waiting; call `apply` when the person agrees to update. */
  onUpdateReady(apply: () => void): void;
}

export interface Registered {
  workbox: Workbox;
  registration: ServiceWorkerRegistration | undefined;
}

/** Registers `/sw.js`; null where service workers are unsupported (the page syncs by itself). */
export async function registerServiceWorker(options: RegistrationOptions): Promise<Registered | null> {
  if (!('serviceWorker' in navigator)) return null;
  const workbox = new Workbox(options.url ?? '/sw.js');
  let accepted = false;
  workbox.addEventListener('waiting', () => {
    options.onUpdateReady(() => {
      accepted = true;
      workbox.messageSkipWaiting();
    });
  });
  workbox.addEventListener('controlling', () => {
    // Only an update the person accepted reloads; the first install just starts controlling.
    if (accepted) window.location.reload();
  });
  const registration = await workbox.register();
  if (registration) void registerPeriodicSync(registration);
  return { workbox, registration };
}

interface PeriodicSyncRegistration {
  periodicSync?: { register(tag: string, options: { minInterval: number }): Promise<void> };
}

/** Asks for Periodic Background Sync where granted (installed PWAs in Chromium); silent otherwise. */
async function registerPeriodicSync(registration: ServiceWorkerRegistration): Promise<void> {
  const periodicSync = (registration as ServiceWorkerRegistration & PeriodicSyncRegistration).periodicSync;
  if (!periodicSync) return;
  try {
    const permission = await navigator.permissions.query({ name: 'periodic-background-sync' as PermissionName });
    if (permission.state !== 'granted') return;
    await periodicSync.register(PERIODIC_SYNC_TAG, { minInterval: 12 * 60 * 60_000 });
  } catch {
    // Unsupported or refused: the other triggers cover it.
  }
}
