import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, backoffDelay, nextAttemptAt, parseRetryAfter, RETRY_AFTER_MAX_MS } from './backoff.ts';

const ALMOST_ONE = 0.999_999;

describe('backoffDelay', () => {
  it('is 0 at the bottom of the jitter range', () => {
    expect(backoffDelay(1, () => 0)).toBe(0);
    expect(backoffDelay(20, () => 0)).toBe(0);
  });

  it('doubles its ceiling each attempt from a 1 s base', () => {
    const ceilings = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, () => ALMOST_ONE));
    expect(ceilings).toEqual([999, 1999, 3999, 7999, 15_999]);
  });

  it('never exceeds the 5 minute cap, however many attempts', () => {
    for (const attempt of [10, 11, 50, 1_000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelay(attempt, () => ALMOST_ONE);
      expect(delay).toBeLessThan(BACKOFF_CAP_MS);
      expect(delay).toBeGreaterThanOrEqual(BACKOFF_CAP_MS - 1);
    }
  });

  it('draws uniformly inside the range (half the ceiling at random 0.5)', () => {
    expect(backoffDelay(3, () => 0.5)).toBe(2_000);
  });

  it('treats attempt 0 or below like the first retry', () => {
    expect(backoffDelay(0, () => ALMOST_ONE)).toBe(999);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
  });

  it('turns a date in the past into no wait', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unparseable values', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
  });

  it('bounds absurd values to a day', () => {
    expect(parseRetryAfter('99999999', now)).toBe(RETRY_AFTER_MAX_MS);
  });
});

describe('nextAttemptAt', () => {
  it('adds the jittered delay to now', () => {
    expect(nextAttemptAt(2, 10_000, () => 0.5)).toBe(11_000);
  });

  it('waits at least as long as Retry-After asks', () => {
    expect(nextAttemptAt(1, 10_000, () => 0.5, 60_000)).toBe(70_000);
  });

  it('keeps the backoff when it is longer than Retry-After', () => {
    expect(nextAttemptAt(10, 0, () => ALMOST_ONE, 1_000)).toBeGreaterThan(1_000);
  });
});
