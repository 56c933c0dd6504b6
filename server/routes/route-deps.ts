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

/** Bodies above this go out in slices of it, one as the socket takes it. */
const SLICE_BYTES = 64 * 1024;

/**
 * Sends JSON that is already serialised (pull, lists: bytes spliced from stored rows). A large
 * page goes out slice by slice as the client reads it: written whole, a 4 MiB page held the
 * event loop for every other request while the kernel took it.
 */
export function sendJson(body: Uint8Array, status = 200, headers: Record<string, string> = {}): Response {
  const allHeaders = { 'content-type': 'application/json', 'content-length': String(body.byteLength), ...headers };
  return new Response(body.byteLength > SLICE_BYTES ? inSlices(body) : body, { status, headers: allHeaders });
}

function inSlices(body: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      controller.enqueue(body.subarray(offset, offset + SLICE_BYTES));
      offset += SLICE_BYTES;
      if (offset >= body.byteLength) controller.close();
    },
  });
}
