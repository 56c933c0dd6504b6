/** The service worker: precaches the app shell and serves it offline, and runs the sync engine. */
/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { syncDirectory } from '../src/store/account-directory.ts';
import { registerMediaCache } from './media-cache.ts';
import { startSyncWorker } from './sync-worker.ts';

declare const self: ServiceWorkerGlobalScope;

// First: its `fetch` listener must see every request, and `respondWith` (Workbox's routes below)
// stops the event from reaching the listeners added after it. Also handles SKIP_WAITING (the
// update flow) and claims clients on activate.
startSyncWorker(self, syncDirectory);

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Every navigation (any route, offline too) gets the app shell; the API is never a navigation.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }));
registerMediaCache(self.location.origin);
