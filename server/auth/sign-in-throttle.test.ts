import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config.ts';
import { createLimiters } from '../limits/limiters.ts';
import { ProblemError } from '../problem.ts';
import { SignInThrottle } from './sign-in-throttle.ts';

function throttleWith(env: Record<string, string>): SignInThrottle {
  const config = loadConfig([], env);
  return new SignInThrottle(createLimiters(config));
}

/** The Retry-After seconds of a refused attempt, or 'ran' when it was allowed to run (and failed). */
async function attempt(throttle: SignInThrottle, account = 'a@example.com', address = '203.0.113.1') {
  try {
    await throttle.reserveSignIn(account, address);
    return 'ran';
  } catch (error) {
    if (!(error instanceof ProblemError) || error.problem.code !== 'rate-limited') throw error;
    return Number(error.headers['retry-after']);
  }
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('SignInThrottle', () => {
  describe('after the free attempts', () => {
    it('lets one attempt through per delay, and doubles the delay each time', async () => {
      const throttle = throttleWith({ BURROW_LOGIN_LIMIT: '3' });
      for (let i = 0; i < 3; i++) expect(await attempt(throttle)).toBe('ran');
      const waits: number[] = [];
      for (let i = 0; i < 5; i++) {
        const refused = await attempt(throttle);
        expect(refused).toEqual(expect.any(Number));
        waits.push(refused as number);
        vi.advanceTimersByTime((refused as number) * 1000);
        expect(await attempt(throttle)).toBe('ran');
      }
      expect(waits).toEqual([1, 2, 4, 8, 16]);
    });

    it('never delays longer than the window', async () => {
      const throttle = throttleWith({ BURROW_LOGIN_LIMIT: '1', BURROW_LOGIN_WINDOW_MS: '10000' });
      expect(await attempt(throttle)).toBe('ran');
      for (let i = 0; i < 6; i++) {
        const refused = (await attempt(throttle)) as number;
        expect(refused).toBeLessThanOrEqual(10);
        vi.advanceTimersByTime(refused * 1000);
        expect(await attempt(throttle)).toBe('ran');
      }
    });

    it('starts over after a successful sign-in', async () => {
      const throttle = throttleWith({ BURROW_LOGIN_LIMIT: '2' });
      await attempt(throttle);
      vi.advanceTimersByTime(1);
      const reservation = await throttle.reserveSignIn('a@example.com', '203.0.113.1');
      await reservation.succeeded();
      expect(await attempt(throttle)).toBe('ran');
      expect(await attempt(throttle)).toBe('ran');
    });
  });

  it('lets exactly the free attempts through a burst of concurrent attempts', async () => {
    const throttle = throttleWith({ BURROW_LOGIN_LIMIT: '3' });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => attempt(throttle)));
    expect(outcomes.filter((outcome) => outcome === 'ran')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === 1)).toHaveLength(5);
  });

  it('throttles each (account, address) pair on its own', async () => {
    const throttle = throttleWith({ BURROW_LOGIN_LIMIT: '1' });
    expect(await attempt(throttle, 'a@example.com', '203.0.113.1')).toBe('ran');
    expect(await attempt(throttle, 'a@example.com', '203.0.113.1')).toEqual(expect.any(Number));
    expect(await attempt(throttle, 'a@example.com', '203.0.113.2')).toBe('ran');
    expect(await attempt(throttle, 'b@example.com', '203.0.113.1')).toBe('ran');
  });

  it('gives back the places of an attempt that was released unchecked', async () => {
    const throttle = throttleWith({ BURROW_LOGIN_LIMIT: '1', BURROW_LOGIN_ADDRESS_LIMIT: '1' });
    const reservation = await throttle.reserveSignIn('a@example.com', '203.0.113.1');
    await reservation.release();
    expect(await attempt(throttle)).toBe('ran');
  });

  it('gives back a delayed attempt released unchecked: the next one runs at once', async () => {
    const throttle = throttleWith({ BURROW_LOGIN_LIMIT: '1' });
    expect(await attempt(throttle)).toBe('ran');
    vi.advanceTimersByTime(1000);
    const delayed = await throttle.reserveSignIn('a@example.com', '203.0.113.1');
    await delayed.release();
    expect(await attempt(throttle)).toBe('ran');
    expect(await attempt(throttle)).toBe(2);
  });
});
