/**
 * Sign-in and sign-up throttling. Attempts are reserved before the password is checked, so a
 * burst of concurrent attempts cannot run more checks than the limit allows. Sign-ins are
 * throttled per (account, address): a few free attempts, then growing delays. Someone
 * guessing from elsewhere therefore slows only their own attempts, never the person's. A
 * looser limit per address across accounts stops one address spraying many accounts.
 */

import { consume, type Limiters, retryAfterSeconds } from '../limits/limiters.ts';
import { fail, type ProblemError } from '../problem.ts';

/** The delay after the free attempts: 1 s, then doubled per delayed attempt, at most the window. */
const FIRST_DELAY_SECONDS = 1;

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
    private readonly maxDelaySeconds: number,
  ) {}

  /**
   * Reserves one sign-in attempt for `account` (the normalised email) from `address`, or
   * throws 429 `rate-limited` with `Retry-After`.
   */
  async reserveSignIn(account: string, address: string): Promise<SignInReservation> {
    const { loginAddress, loginFree } = this.limiters;
    const pair = JSON.stringify([account, address]);
    const byAddress = await consume(loginAddress, address);
    if (!byAddress.allowed) throw rateLimited(byAddress.retryAfterMs, SIGN_IN_DETAIL);
    const free = await consume(loginFree, pair);
    const allowed = free.allowed
      ? free.result.remainingPoints > 0 || (await this.closeGate(pair))
      : await this.passGate(pair);
    if (allowed !== true) {
      await loginAddress.reward(address);
      throw rateLimited(allowed, SIGN_IN_DETAIL);
    }
    return {
      succeeded: async () => {
        await Promise.all([
          loginAddress.reward(address),
          loginFree.delete(pair),
          this.limiters.loginDelay.delete(pair),
          this.limiters.loginDelayCount.delete(pair),
        ]);
      },
      release: async () => {
        await Promise.all([loginAddress.reward(address), loginFree.reward(pair)]);
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

  /**
   * The last free attempt runs, and shuts the gate behind it for the first delay: attempts
   * that come while it is shut are refused. Always true (the attempt itself may run).
   */
  private async closeGate(pair: string): Promise<true> {
    await this.limiters.loginDelay.penalty(pair, 1, { customDuration: FIRST_DELAY_SECONDS });
    return true;
  }

  /**
   * After the free attempts: the first attempt to find the gate open runs and shuts it for
   * twice as long as last time; every other attempt is refused. Returns true, or the wait in ms.
   */
  private async passGate(pair: string): Promise<true | number> {
    const { loginDelay, loginDelayCount } = this.limiters;
    const shut = await loginDelay.get(pair);
    if (shut && shut.consumedPoints > 0) return Math.max(1, shut.msBeforeNext);
    const delayed = (await loginDelayCount.get(pair))?.consumedPoints ?? 0;
    const seconds = Math.min(this.maxDelaySeconds, FIRST_DELAY_SECONDS * 2 ** Math.min(delayed + 1, 30));
    const gate = await loginDelay.penalty(pair, 1, { customDuration: seconds });
    // Another attempt shut the gate between the read and the penalty: this one waits.
    if (gate.consumedPoints !== 1) return Math.max(1, gate.msBeforeNext);
    await loginDelayCount.penalty(pair, 1, { customDuration: this.maxDelaySeconds * 2 });
    return true;
  }
}
