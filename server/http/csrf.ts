/**
 * CSRF: a write (POST, PUT, PATCH, DELETE) not authenticated by a bearer token whose `Origin`
 * is not the server's own (or a configured one) is refused with 403 `csrf`. No `Origin`
 * (scripts, curl) is accepted: browsers always send it on cross-site writes.
 */
import type { MiddlewareHandler } from 'hono';
import type { ServerConfig } from '../config.ts';
import { fail } from '../problem.ts';
import type { AppEnv } from './app-env.ts';
import { ownOrigin } from './request-origin.ts';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function csrfGuard(config: ServerConfig): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const bearer = /^Bearer\s/i.test(c.req.header('authorization') ?? '');
    if (WRITES.has(c.req.method) && origin !== undefined && !bearer) {
      if (origin !== ownOrigin(c, config) && !config.allowedOrigins.includes(origin)) {
        throw fail(403, 'csrf', 'Cross-site writes are refused.');
      }
    }
    return next();
  };
}
