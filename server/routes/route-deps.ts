/** What every route module is built from. */
import type { MiddlewareHandler } from 'hono';
import type { ServerConfig } from '../config.ts';
import type { AppEnv } from '../http/app-env.ts';
import type { Limiters } from '../limits/limiters.ts';
import type { Logger } from '../logger.ts';
import type { Store, StoredResponse } from '../storage/store.ts';

export interface RouteDeps {
  store: Store;
  config: ServerConfig;
  logger: Logger;
  /** The authentication middleware (401 without a session or token). */
  requireUser: MiddlewareHandler<AppEnv>;
  /** Every rate limiter (sign-in, sign-up, writes), built in `limits/limiters.ts`. */
  limiters: Limiters;
}

/** Sends a stored write response; a replay says so with `Idempotent-Replayed: true`. */
export function sendStored(stored: StoredResponse): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (stored.replayed) headers['idempotent-replayed'] = 'true';
  return new Response(stored.body, { status: stored.status, headers });
}

/** Sends JSON text that is already serialised (pull, lists). */
export function sendJsonText(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });
}
