/** Retry timing of transient failures: full-jitter exponential backoff and `Retry-After`. */

/** First retry waits up to this long. */
export const BACKOFF_BASE_MS = 1_000;
/** No computed wait is longer than this (a server's `Retry-After` may ask for more). */
export const BACKOFF_CAP_MS = 5 * 60_000;
/** A `Retry-After` beyond this is treated as this: a misconfigured server must not park the outbox for days. */
export const RETRY_AFTER_MAX_MS = 24 * 60 * 60_000;

/**
 * The wait before retry number `attempt` (1 for the first retry): uniform in
 * [0, min(cap, base · 2^(attempt−1))] ("full jitter", so many clients coming back at once
 * spread out instead of hitting the server in waves).
 */
export function backoffDelay(attempt: number, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * Parses a `Retry-After` header (RFC 9110: delay-seconds or an HTTP date) into a wait in
 * milliseconds from `now`; null when absent or unparseable. A date in the past is a wait of 0.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | null {
  if (header === null || header === undefined) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, RETRY_AFTER_MAX_MS);
  // Only IMF-fixdate-like strings: Date.parse accepts far too much (e.g. "1").
  if (!/^[A-Za-z]{3},? /.test(value)) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(at - now, 0), RETRY_AFTER_MAX_MS);
}

/**
 * When to try again after the `attempt`-th consecutive failure: the jittered backoff, but
 * never sooner than the server asked with `Retry-After`.
 */
export function nextAttemptAt(
  attempt: number,
  now: number,
  random: () => number,
  retryAfterMs?: number | null,
): number {
  const jittered = backoffDelay(attempt, random);
  return now + Math.max(jittered, retryAfterMs ?? 0);
}
