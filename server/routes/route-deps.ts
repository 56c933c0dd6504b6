/** What every route module is built from. */
import type { MiddlewareHandler } from 'hono';
import type { ServerConfig } from '../config.ts';
import type { AppEnv } from '../http/app-env.ts';
import type { Limiters } from '../limits/limiters.ts';
import type { Logger } from '../logger.ts';
import type { JsonPieces } from '../storage/envelope-pages.ts';
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

/** Bodies above this go out in slices of at most it. */
const SLICE_BYTES = 64 * 1024;

/**
 * Sends JSON that is already serialised (pull, lists: pieces spliced from stored rows). A large
 * page goes out slice by slice as the client reads it: written whole, a 4 MiB page held the
 * event loop for every other request while the kernel took it.
 */
export function sendJson(body: JsonPieces, status = 200, headers: Record<string, string> = {}): Response {
  const allHeaders = { 'content-type': 'application/json', 'content-length': String(body.byteLength), ...headers };
  return new Response(body.byteLength > SLICE_BYTES ? inSlices(body) : body.toBuffer(), {
    status,
    headers: allHeaders,
  });
}

function* slicesOf(body: JsonPieces): Generator<Uint8Array> {
  for (const piece of body.pieces) {
    for (let offset = 0; offset < piece.byteLength; offset += SLICE_BYTES) {
      yield piece.subarray(offset, offset + SLICE_BYTES);
    }
  }
}

function inSlices(body: JsonPieces): ReadableStream<Uint8Array> {
  const slices = slicesOf(body);
  return new ReadableStream({
    pull(controller) {
      const next = slices.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}
