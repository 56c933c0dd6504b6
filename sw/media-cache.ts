/**
 * Runtime caching of the server's preview images (`/media/<sha256>.webp`), so cards show their
 * pictures offline. Content-addressed files never change: cache first, expire by count and age.
 */
import { CacheableResponsePlugin } from 'workbox-cacheable-response';
import { ExpirationPlugin } from 'workbox-expiration';
import { registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

export const MEDIA_CACHE = 'burrow-media';
/** About 40 kB a cover: some 40 MB at most, the newest images of a large library. */
const MAX_ENTRIES = 1000;
const MAX_AGE_SECONDS = 90 * 24 * 60 * 60;

export function registerMediaCache(origin: string): void {
  registerRoute(
    ({ url }) => url.origin === origin && url.pathname.startsWith('/media/'),
    new CacheFirst({
      cacheName: MEDIA_CACHE,
      plugins: [
        // Only whole answers of the server: never an opaque, an error or a 404 for a signed-out person.
        new CacheableResponsePlugin({ statuses: [200] }),
        new ExpirationPlugin({ maxEntries: MAX_ENTRIES, maxAgeSeconds: MAX_AGE_SECONDS, purgeOnQuotaError: true }),
      ],
    }),
  );
}
