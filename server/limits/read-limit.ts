/**
 * Per-user read budget: what a user's pulls and REST lists answer, in bytes of JSON per
 * window. A page costs its size, so a client pulling 4 MiB pages without pause is answered
 * 429 `rate-limited` with `Retry-After` once it has had its share, before any row is read,
 * while everyone else's small pages go on (the client waits and pulls again: nothing is lost).
 */

import { fail } from '../problem.ts';
import type { Limiters } from './limiters.ts';
import { retryAfterSeconds } from './limiters.ts';

/** Throws 429 when `userId` has spent this window's budget; checked before the page is read. */
export async function refuseWhenReadsSpent(limiters: Limiters, userId: string): Promise<void> {
  const spent = await limiters.reads.get(userId);
  if (spent && spent.consumedPoints >= limiters.reads.points) {
    const error = fail(429, 'rate-limited', 'Too much read in a short time; the rest follows shortly.');
    error.headers['retry-after'] = retryAfterSeconds(spent.msBeforeNext);
    throw error;
  }
}

/**
 * Charges the page just read (its bytes of JSON) to `userId`. Charged after, as its size is
 * known only then: one page may take the budget past its end, and the next request waits for
 * the window.
 */
export async function chargeReads(limiters: Limiters, userId: string, json: { byteLength: number }): Promise<void> {
  await limiters.reads.penalty(userId, Math.max(1, json.byteLength));
}
