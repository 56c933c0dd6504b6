/** Authentication middleware: `Authorization: Bearer <token>` or the session cookie, else 401. */
import type { MiddlewareHandler } from 'hono';
import { hashSecret } from '../auth/secrets.ts';
import type { ServerConfig } from '../config.ts';
import { fail } from '../problem.ts';
import type { Store } from '../storage/store.ts';
import type { AppEnv } from './app-env.ts';
import { readSessionCookie, writeSessionCookie } from './session-cookie.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Sets `user` and `auth` on the context; a session used in its second half is renewed. */
export function authenticate(store: Store, config: ServerConfig): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const token = BEARER.exec(authorization)?.[1];
      const found = token ? await store.findToken(hashSecret(token)) : null;
      if (!found) throw fail(401, 'unauthorized', 'The bearer token is not valid.');
      if (found.expiresAt !== null && found.expiresAt <= Date.now()) {
        throw fail(401, 'unauthorized', 'The bearer token has expired.');
      }
      c.set('user', found.user);
      c.set('auth', { kind: 'bearer', tokenId: found.tokenId });
      return next();
    }
    const sessionId = readSessionCookie(c);
    const now = Date.now();
    const session = sessionId ? await store.findSession(hashSecret(sessionId), now) : null;
    if (!sessionId || !session) throw fail(401, 'unauthorized', 'Sign in, or send a bearer token.');
    const idHash = hashSecret(sessionId);
    if (session.expiresAt - now < config.sessionTtlMs / 2) {
      const expiresAt = now + config.sessionTtlMs;
      await store.renewSession(idHash, expiresAt);
      writeSessionCookie(c, config, sessionId, expiresAt);
    }
    c.set('user', session.user);
    c.set('auth', { kind: 'session', idHash });
    return next();
  };
}

/** After `authenticate`: token management needs a signed-in session, so a token cannot mint or outlive tokens. */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('auth').kind !== 'session') {
    throw fail(
      403,
      'forbidden',
      'API tokens are managed from a signed-in session; a bearer token cannot list, create or revoke tokens.',
    );
  }
  return next();
};
