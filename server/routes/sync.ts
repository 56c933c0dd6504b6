/** `/api/sync/*`: push, pull and the server-sent events stream. */
import { Hono } from 'hono';
import {
  LIMITS,
  PROTOCOL_VERSION,
  type PushRequest,
  parseNonNegativeInteger,
  parsePushRequest,
} from '../../protocol/index.ts';
import type { PokeHub } from '../events/poke-hub.ts';
import type { AppEnv } from '../http/app-env.ts';
import { methodNotAllowed } from '../http/errors.ts';
import { idempotencyOf } from '../http/idempotency-key.ts';
import { readJson } from '../http/read-json.ts';
import { chargeReads, refuseWhenReadsSpent } from '../limits/read-limit.ts';
import { chargeWrites, refuseWhenWritesSpent } from '../limits/write-limit.ts';
import { fail } from '../problem.ts';
import { type RouteDeps, sendJson, sendStored } from './route-deps.ts';

/** Whole-request checks of a push body, in the order PROTOCOL.md implies. */
function parsePush(body: unknown): PushRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw fail(400, 'invalid-request', 'The body must be an object.');
  }
  const { protocol, mutations } = body as Record<string, unknown>;
  if (protocol !== PROTOCOL_VERSION) {
    throw fail(400, 'protocol-unsupported', `This server speaks protocol ${PROTOCOL_VERSION}.`);
  }
  if (Array.isArray(mutations) && mutations.length > LIMITS.maxMutationsPerPush) {
    throw fail(413, 'too-large', `A push may carry at most ${LIMITS.maxMutationsPerPush} mutations.`);
  }
  const parsed = parsePushRequest(body);
  if (!parsed.ok) throw fail(400, 'invalid-request', 'The push body is malformed.', { errors: parsed.errors });
  return parsed.value;
}

/** A query integer in [min, max], or the default when absent; 400 otherwise. */
export function queryInteger(
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = parseNonNegativeInteger(raw);
  if (value === null || value < min || value > max) {
    throw fail(400, 'invalid-request', `${name} must be an integer from ${min} to ${max}.`, {
      errors: [{ pointer: `/${name}`, detail: `must be an integer from ${min} to ${max}` }],
    });
  }
  return value;
}

export function syncRoutes({ store, requireUser, limiters }: RouteDeps, hub: PokeHub): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/push', requireUser, async (c) => {
    await refuseWhenWritesSpent(limiters, c.get('user').id);
    const body = await readJson(c, LIMITS.maxPushBytes);
    const idempotency = idempotencyOf(c, body.raw, true);
    const request = parsePush(body.value);
    await chargeWrites(limiters, c.get('user').id, request.mutations.length);
    return sendStored(await store.push(c.get('user').id, request, { idempotency }));
  });

  app.get('/pull', requireUser, async (c) => {
    const cursor = queryInteger(c.req.query('cursor'), 'cursor', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = queryInteger(c.req.query('limit'), 'limit', LIMITS.pullDefaultLimit, 1, LIMITS.pullMaxLimit);
    const rawHorizon = c.req.query('horizon');
    const horizon =
      rawHorizon === undefined ? undefined : queryInteger(rawHorizon, 'horizon', 0, 0, Number.MAX_SAFE_INTEGER);
    const userId = c.get('user').id;
    await refuseWhenReadsSpent(limiters, userId);
    const page = await store.pull(userId, cursor, limit, horizon);
    await chargeReads(limiters, userId, page);
    return sendJson(page);
  });

  app.get('/events', requireUser, async (c) => {
    const auth = c.get('auth');
    const userId = c.get('user').id;
    const owner = auth.kind === 'session' ? { userId, sessionHash: auth.idHash } : { userId, tokenId: auth.tokenId };
    const stream = hub.open(owner, await store.latestSeq());
    c.req.raw.signal.addEventListener('abort', () => stream.close(), { once: true });
    return new Response(stream.body, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  });

  app.all('/push', methodNotAllowed(['POST']));
  app.all('/pull', methodNotAllowed(['GET']));
  app.all('/events', methodNotAllowed(['GET']));
  return app;
}
