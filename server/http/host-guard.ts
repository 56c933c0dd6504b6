/**
 * DNS rebinding guard: with `BURROW_PUBLIC_URL` set, a request whose `Host` is not that URL's
 * host is refused with 421 `wrong-host`. A page of another site whose name an attacker
 * pointed at this server's address is then same-origin only with itself, and gets nothing.
 * `/api/health` stays open to any Host, for probes on the loopback address.
 */
import type { MiddlewareHandler } from 'hono';
import type { ServerConfig } from '../config.ts';
import { fail } from '../problem.ts';
import type { AppEnv } from './app-env.ts';

export function hostGuard(config: ServerConfig): MiddlewareHandler<AppEnv> {
  const expected = config.publicUrl?.host;
  return async (c, next) => {
    if (expected === undefined || c.req.path === '/api/health') return next();
    const host = new URL(c.req.url).host;
    if (host !== expected) {
      throw fail(421, 'wrong-host', `This server answers only for ${expected}, not ${host}.`);
    }
    return next();
  };
}
