/**
 * Every rate limiter of the server, built in this one module from the configuration, over one
 * storage backend: rate-limiter-flexible's memory store today, its PostgreSQL store (shared by
 * several processes) once the server runs on PostgreSQL. Swap `memoryBackend` for another
 * `LimiterBackend` and nothing else changes.
 */
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { ServerConfig } from '../config.ts';

/** What a limiter is made of: counted points per key, forgotten `durationSeconds` after the first. */
export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

/** Builds one limiter on some storage. */
export type LimiterBackend = (options: LimiterOptions) => RateLimiterAbstract;

/** Counters in this process's memory (each key forgets itself when its window ends). */
export const memoryBackend: LimiterBackend = ({ keyPrefix, points, durationSeconds }) =>
  new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });

/** The limiters the routes use; see docs/protocol.md for what each counts. */
export interface Limiters {
  /** Sign-in attempts per (account, address) that run without delay, per login window. */
  loginFree: RateLimiterAbstract;
  /** The growing delay per (account, address) after the free attempts: one point, custom durations. */
  loginDelay: RateLimiterAbstract;
  /** How many delayed attempts each (account, address) has had: the exponent of the next delay. */
  loginDelayCount: RateLimiterAbstract;
  /** Sign-in attempts per address across every account (failures only: a success gives its point back). */
  loginAddress: RateLimiterAbstract;
  /** Sign-ups per address. */
  signupAddress: RateLimiterAbstract;
  /** Record writes per user: a push counts its mutations, a REST write one. */
  writes: RateLimiterAbstract;
}

/** Whole seconds for a window in ms: rate-limiter-flexible counts in seconds (0 would mean forever). */
export function toSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export function createLimiters(config: ServerConfig, backend: LimiterBackend = memoryBackend): Limiters {
  const loginWindow = toSeconds(config.loginWindowMs);
  return {
    loginFree: backend({ keyPrefix: 'login-free', points: config.loginLimit, durationSeconds: loginWindow }),
    loginDelay: backend({ keyPrefix: 'login-delay', points: 1, durationSeconds: loginWindow }),
    loginDelayCount: backend({ keyPrefix: 'login-delays', points: 1, durationSeconds: loginWindow }),
    loginAddress: backend({
      keyPrefix: 'login-address',
      points: config.loginAddressLimit,
      durationSeconds: loginWindow,
    }),
    signupAddress: backend({
      keyPrefix: 'signup-address',
      points: config.signupLimit,
      durationSeconds: toSeconds(config.signupWindowMs),
    }),
    writes: backend({
      keyPrefix: 'writes',
      points: config.writeLimit,
      durationSeconds: toSeconds(config.writeWindowMs),
    }),
  };
}

/** The answer of a consume: allowed, or refused with the wait until the key has points again. */
export type Consumed = { allowed: true; result: RateLimiterRes } | { allowed: false; retryAfterMs: number };

/**
 * Consumes `points` for `key`. A refusal is an answer, not an error; a failing store (a
 * database behind a future backend) is rethrown as the error it is.
 */
export async function consume(limiter: RateLimiterAbstract, key: string, points = 1): Promise<Consumed> {
  try {
    return { allowed: true, result: await limiter.consume(key, points) };
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(0, refusal.msBeforeNext) };
    throw refusal;
  }
}

/** A `Retry-After` value in whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
