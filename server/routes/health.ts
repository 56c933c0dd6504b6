/** `GET /api/health`: liveness, version and storage kind; no auth. */
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env.ts';
import { methodNotAllowed } from '../http/errors.ts';
import type { RouteDeps } from './route-deps.ts';

export function healthRoutes({ store, config }: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', (c) => c.json({ ok: true, version: config.version, storage: store.kind }));
  app.all('/', methodNotAllowed(['GET']));
  return app;
}
