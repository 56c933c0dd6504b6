/**
 * Per-user write rate limit: a push counts its mutations, a REST write one. Past the limit,
 * 429 `rate-limited` with `Retry-After` (the client backs off and sends the same batch again,
 * so nothing is lost). Checked after authentication, before any work.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/app-env.ts';
import { fail } from '../problem.ts';
import { consume, type Limiters, retryAfterSeconds } from './limiters.ts';

function writesLimited(retryAfterMs: number) {
  const error = fail(429, 'rate-limited', 'Too many changes in a short time; they will be sent again shortly.');
  error.headers['retry-after'] = retryAfterSeconds(retryAfterMs);
  return error;
}

/**
 * Charges `count` writes to `userId`, or throws 429. A push larger than the whole limit is
 * charged the limit, so a big batch still goes through once a window starts empty.
 */
export async function chargeWrites(limiters: Limiters, userId: string, count: number): Promise<void> {
  const points = Math.max(1, Math.min(count, limiters.writes.points));
  const charged = await consume(limiters.writes, userId, points);
  if (!charged.allowed) throw writesLimited(charged.retryAfterMs);
}

/**
 * Throws 429 when `userId` has no writes left in this window, before the body is read: a
 * refused push of 1,000 mutations would otherwise still cost its parse and validation, and a
 * client that ignores `Retry-After` could keep the server busy with refusals alone.
 */
export async function refuseWhenWritesSpent(limiters: Limiters, userId: string): Promise<void> {
  const spent = await limiters.writes.get(userId);
  if (spent && spent.consumedPoints >= limiters.writes.points) throw writesLimited(spent.msBeforeNext);
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** After `requireUser`: charges one write for every REST write. */
export function chargeRestWrite(limiters: Limiters): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (WRITES.has(c.req.method)) await chargeWrites(limiters, c.get('user').id, 1);
    return next();
  };
}
