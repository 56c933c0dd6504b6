/** One structured log line per request: method, path, status, duration, user id. No secrets, no bodies. */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger.ts';
import type { AppEnv } from './app-env.ts';

export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.log('info', 'request', {
      method: c.req.method,
      // The path only: query strings can carry anything a client chose to put there.
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      userId: c.get('user')?.id,
    });
  };
}
