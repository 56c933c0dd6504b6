/** `POST /api/cards/:id/refresh` (a person asks for a link's preview again) and `GET /media/:file` (stored images). */
import { Hono } from 'hono';
import { isUuid } from '../../protocol/index.ts';
import type { AppEnv } from '../http/app-env.ts';
import { chargeRestWrite } from '../limits/write-limit.ts';
import type { MediaStore } from '../previews/media-store.ts';
import { fail } from '../problem.ts';
import type { RouteDeps } from './route-deps.ts';

const MEDIA_FILE = /^([0-9a-f]{64})\.webp$/;

export function refreshRoutes({ store, config, requireUser, limiters }: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // A Refresh is a write (the card's metadata) and costs a fetch: it counts against the write limit.
  app.post('/:id/refresh', requireUser, chargeRestWrite(limiters), async (c) => {
    const id = c.req.param('id');
    const notFound = () => fail(404, 'not-found', `There is no link card ${id}.`);
    if (!isUuid(id)) throw notFound();
    if (!config.unfurl.enabled) throw fail(503, 'previews-off', 'This server does not fetch link previews.');
    if (!(await store.refreshPreview(c.get('user').id, id))) throw notFound();
    return c.json({ status: 'pending' }, 202);
  });
  return app;
}

/**
 * Stored images, to signed-in people whose cards they were fetched for; any other file or
 * person gets the same 404. Content-addressed, so cached for a year as immutable.
 */
export function mediaRoutes({ store, requireUser }: RouteDeps, media: MediaStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/:file', requireUser, async (c) => {
    const hash = MEDIA_FILE.exec(c.req.param('file'))?.[1];
    const notFound = () => fail(404, 'not-found', 'There is no such image.');
    if (!hash || !(await store.mayReadMedia(c.get('user').id, hash))) throw notFound();
    const bytes = await media.read(hash);
    if (!bytes) throw notFound();
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': 'image/webp',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
  });
  return app;
}
