/** The Hono app: middleware order, route mounting, the static PWA, central errors. */
import path from 'node:path';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { ServerConfig } from './config.ts';
import { PokeHub } from './events/poke-hub.ts';
import type { AppEnv } from './http/app-env.ts';
import { authenticate } from './http/authenticate.ts';
import { compressJson } from './http/compress-json.ts';
import { csrfGuard } from './http/csrf.ts';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import { hostGuard } from './http/host-guard.ts';
import { requestLog } from './http/request-log.ts';
import { staticSite } from './http/static-files.ts';
import { createLimiters, type Limiters } from './limits/limiters.ts';
import { createJsonLogger, type Logger } from './logger.ts';
import { MediaStore } from './previews/media-store.ts';
import { authRoutes } from './routes/auth.ts';
import { healthRoutes } from './routes/health.ts';
import { mediaRoutes, refreshRoutes } from './routes/previews.ts';
import { restRoutes } from './routes/rest.ts';
import type { RouteDeps } from './routes/route-deps.ts';
import { syncRoutes } from './routes/sync.ts';
import type { Store } from './storage/store.ts';

export interface AppDeps {
  store: Store;
  config: ServerConfig;
  logger?: Logger;
  /** The event streams; main passes its own so it can end them on shutdown. */
  hub?: PokeHub;
  /** The rate limiters; by default in this process's memory. */
  limiters?: Limiters;
  /** Stored preview images; default `<dataDir>/media`. */
  media?: MediaStore;
}

/** A CSP for the app itself: its own scripts only; card images are the server's own (/media). */
const SECURITY_HEADERS = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    connectSrc: ["'self'"],
    workerSrc: ["'self'"],
    manifestSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  // The app must work over plain http on 127.0.0.1; a TLS proxy in front can add HSTS.
  strictTransportSecurity: false,
});

/** Builds the app; tests call `app.request()` on it. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { store, config } = deps;
  const logger = deps.logger ?? createJsonLogger();
  const hub = deps.hub ?? new PokeHub(store, config);
  const limiters = deps.limiters ?? createLimiters(config);
  const routeDeps: RouteDeps = { store, config, logger, requireUser: authenticate(store, config), limiters };
  const media = deps.media ?? new MediaStore(path.join(config.dataDir, 'media'));

  const app = new Hono<AppEnv>();
  app.onError(errorHandler(logger));
  app.notFound(notFoundHandler);
  if (config.requestLogs) app.use(requestLog(logger));
  app.use(SECURITY_HEADERS);
  app.use(hostGuard(config));
  app.use('/api/*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
  app.use('/api/*', compressJson(config.compressMinBytes));
  app.use('/api/*', csrfGuard(config));

  app.route('/api/health', healthRoutes(routeDeps));
  app.route('/api/auth', authRoutes(routeDeps, hub));
  app.route('/api/sync', syncRoutes(routeDeps, hub));
  app.route('/api/cards', refreshRoutes(routeDeps));
  app.route('/api', restRoutes(routeDeps));
  app.route('/media', mediaRoutes(routeDeps, media));
  app.use(staticSite(config.distDir));
  return app;
}
