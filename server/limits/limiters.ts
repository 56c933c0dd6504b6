/**
 * Every rate limiter of the server, built in this one module from the configuration, over one
 * storage backend: this process's memory on SQLite, the database on PostgreSQL (shared by
 * several processes, `postgres-backend.ts`). Swap `memoryBackend` for another `LimiterBackend`
 * and nothing else changes.
 */
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { ServerConfig } from '../config.ts';
import { MemorySignInLedger, type SignInLedger, type SignInRules } from './sign-in-gate.ts';

/** What a limiter is made of: counted points per key, forgotten `durationSeconds` after the first. */
export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

/** Builds the limiters on some storage. */
export interface LimiterBackend {
  /** A rate-limiter-flexible counter. */
  counter(options: LimiterOptions): RateLimiterAbstract;
  /** Where the sign-in gates keep their records. */
  signInLedger(): SignInLedger;
}

/** Counters in this process's memory (each key forgets itself when its window ends). */
export const memoryBackend: LimiterBackend = {
  counter: ({ keyPrefix, points, durationSeconds }) =>
    new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds }),
  signInLedger: () => new MemorySignInLedger(),
};

/** The wait after the last free sign-in attempt of a pair; it doubles after each delayed one. */
const FIRST_SIGN_IN_DELAY_MS = 1000;

/** The limiters the routes use; see docs/protocol.md for what each counts. */
export interface Limiters {
  /** The sign-in gates per (account, address): free attempts, then growing delays (`sign-in-gate.ts`). */
  signIns: { ledger: SignInLedger; rules: SignInRules };
  /** Sign-in attempts per address across every account (failures only: a success gives its point back). */
  loginAddress: RateLimiterAbstract;
  /** Sign-ups per address. */
  signupAddress: RateLimiterAbstract;
  /** Record writes per user: a push counts its mutations, a REST write one. */
  writes: RateLimiterAbstract;
  /** What a user's pulls and REST lists answered, in bytes of JSON (`read-limit.ts`). */
  reads: RateLimiterAbstract;
}

/** Whole seconds for a window in ms: rate-limiter-flexible counts in seconds (0 would mean forever). */
export function toSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export function createLimiters(config: ServerConfig, backend: LimiterBackend = memoryBackend): Limiters {
  const loginWindow = toSeconds(config.loginWindowMs);
  const counter = (options: LimiterOptions) => backend.counter(options);
  return {
    signIns: {
      ledger: backend.signInLedger(),
      rules: {
        freeAttempts: config.loginLimit,
        windowMs: config.loginWindowMs,
        firstDelayMs: FIRST_SIGN_IN_DELAY_MS,
        maxDelayMs: config.loginWindowMs,
      },
    },
    loginAddress: counter({
      keyPrefix: 'login-address',
      points: config.loginAddressLimit,
      durationSeconds: loginWindow,
    }),
    signupAddress: counter({
      keyPrefix: 'signup-address',
      points: config.signupLimit,
      durationSeconds: toSeconds(config.signupWindowMs),
    }),
    writes: counter({
      keyPrefix: 'writes',
      points: config.writeLimit,
      durationSeconds: toSeconds(config.writeWindowMs),
    }),
    reads: counter({
      keyPrefix: 'reads',
      points: config.readLimitBytes,
      durationSeconds: toSeconds(config.readWindowMs),
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
