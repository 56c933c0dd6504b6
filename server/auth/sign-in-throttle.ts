/**
 * Sign-in and sign-up throttling. Attempts are reserved before the password is checked, so a
 * burst of concurrent attempts cannot run more checks than the limit allows. Sign-ins are
 * throttled per (account, address): a few free attempts, then growing delays. Someone
 * guessing from elsewhere therefore slows only their own attempts, never the person's. A
 * looser limit per address across accounts stops one address spraying many accounts.
 */

import { consume, type Limiters, retryAfterSeconds } from '../limits/limiters.ts';
import { attempt, giveBack } from '../limits/sign-in-gate.ts';
import { fail, type ProblemError } from '../problem.ts';

/** A reserved sign-in attempt: tell it how the check went. */
export interface SignInReservation {
  /** The password was right: the pair's count starts over and the address gets its point back. */
  succeeded(): Promise<void>;
  /** The attempt was never checked (the server was busy): every point it took is given back. */
  release(): Promise<void>;
}

function rateLimited(retryAfterMs: number, detail: string): ProblemError {
  const error = fail(429, 'rate-limited', detail);
  error.headers['retry-after'] = retryAfterSeconds(retryAfterMs);
  return error;
}

const SIGN_IN_DETAIL = 'Too many failed sign-ins; try again later.';

export class SignInThrottle {
  constructor(
    private readonly limiters: Limiters,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reserves one sign-in attempt for `account` (the normalised email) from `address`, or
   * throws 429 `rate-limited` with `Retry-After`. The pair's gate is decided in one atomic
   * update (`sign-in-gate.ts`): a burst lets exactly the free attempts through.
   */
  async reserveSignIn(account: string, address: string): Promise<SignInReservation> {
    const { loginAddress, signIns } = this.limiters;
    const pair = JSON.stringify([account, address]);
    const byAddress = await consume(loginAddress, address);
    if (!byAddress.allowed) throw rateLimited(byAddress.retryAfterMs, SIGN_IN_DETAIL);
    const verdict = await signIns.ledger.update(pair, (state) => attempt(signIns.rules, state, this.now()));
    if (!verdict.allowed) {
      await loginAddress.reward(address);
      throw rateLimited(verdict.retryAfterMs, SIGN_IN_DETAIL);
    }
    return {
      succeeded: async () => {
        await Promise.all([
          loginAddress.reward(address),
          signIns.ledger.update(pair, () => ({ state: null, result: undefined })),
        ]);
      },
      release: async () => {
        await Promise.all([
          loginAddress.reward(address),
          signIns.ledger.update(pair, (state) => giveBack(signIns.rules, state, this.now())),
        ]);
      },
    };
  }

  /** Reserves one sign-up from `address`, or throws 429 `rate-limited` with `Retry-After`. */
  async reserveSignUp(address: string): Promise<{ release(): Promise<void> }> {
    const byAddress = await consume(this.limiters.signupAddress, address);
    if (!byAddress.allowed)
      throw rateLimited(byAddress.retryAfterMs, 'Too many sign-ups from this address; try again later.');
    return { release: async () => void (await this.limiters.signupAddress.reward(address)) };
  }
}
