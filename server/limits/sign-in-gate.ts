/**
 * The sign-in gate of one (account, address) pair: a few free attempts, then one attempt per
 * delay, the delay doubling. Its whole state is one record changed by one atomic
 * read-modify-write (`SignInLedger.update`), so concurrent attempts, in one process or in many,
 * are decided one after the other: exactly the free attempts pass a burst, never one more.
 * The rules live here once; a ledger only stores (this process's memory, or a PostgreSQL row).
 */

/** The gate's rules, from the configuration. */
export interface SignInRules {
  /** Attempts per window that run without delay (`BURROW_LOGIN_LIMIT`). */
  freeAttempts: number;
  /** The window, from a pair's first attempt; then the pair starts over (`BURROW_LOGIN_WINDOW_MS`). */
  windowMs: number;
  /** The wait after the last free attempt; doubled after each delayed attempt. */
  firstDelayMs: number;
  /** The longest wait. */
  maxDelayMs: number;
}

/** One pair's record. */
export interface SignInState {
  /** Attempts that ran (or are running) in this window. */
  tries: number;
  /** How many of them ran after the free ones: the exponent of the next delay. */
  delays: number;
  /** When the next attempt past the free ones may run (ms since epoch; 0: not shut). */
  openAt: number;
  /** When the window ends and the record is forgotten (ms since epoch). */
  expire: number;
}

export type SignInVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/** What an update leaves: the new record (null: forget it) and what to answer. */
export interface SignInChange<T> {
  state: SignInState | null;
  result: T;
}

/** Stores the gates' records; `update` is atomic per pair against every other update of it. */
export interface SignInLedger {
  update<T>(pair: string, change: (state: SignInState | null) => SignInChange<T>): Promise<T>;
}

function live(state: SignInState | null, now: number): SignInState | null {
  return state !== null && state.expire > now ? state : null;
}

/** One attempt: runs free, passes the open gate (shutting it for twice as long), or waits. */
export function attempt(rules: SignInRules, stored: SignInState | null, now: number): SignInChange<SignInVerdict> {
  const state = live(stored, now) ?? { tries: 0, delays: 0, openAt: 0, expire: now + rules.windowMs };
  if (state.tries < rules.freeAttempts) {
    const tries = state.tries + 1;
    // The last free attempt shuts the gate behind it, in the same update that counted it.
    const openAt = tries === rules.freeAttempts ? now + rules.firstDelayMs : 0;
    return { state: { ...state, tries, openAt }, result: { allowed: true } };
  }
  if (now < state.openAt) return { state, result: { allowed: false, retryAfterMs: state.openAt - now } };
  const delays = state.delays + 1;
  const delayMs = Math.min(rules.maxDelayMs, rules.firstDelayMs * 2 ** Math.min(delays, 30));
  return { state: { ...state, tries: state.tries + 1, delays, openAt: now + delayMs }, result: { allowed: true } };
}

/**
 * Gives back an attempt that was never checked (the server was busy): its try, and the gate it
 * passed, so the person's next attempt runs at once.
 */
export function giveBack(rules: SignInRules, stored: SignInState | null, now: number): SignInChange<void> {
  const state = live(stored, now);
  if (state === null || state.tries === 0) return { state, result: undefined };
  const tries = state.tries - 1;
  if (state.tries > rules.freeAttempts) {
    return { state: { ...state, tries, delays: Math.max(0, state.delays - 1), openAt: now }, result: undefined };
  }
  return { state: { ...state, tries, openAt: 0 }, result: undefined };
}

/** How often the memory ledger forgets ended windows. */
const SWEEP_EVERY_MS = 60_000;

/** The ledger in this process's memory (SQLite serves one process). */
export class MemorySignInLedger implements SignInLedger {
  private readonly states = new Map<string, SignInState>();
  private sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Synchronous between the read and the write: nothing can run in between. */
  async update<T>(pair: string, change: (state: SignInState | null) => SignInChange<T>): Promise<T> {
    this.sweep();
    const { state, result } = change(this.states.get(pair) ?? null);
    if (state === null) this.states.delete(pair);
    else this.states.set(pair, state);
    return result;
  }

  /** Forgets the pairs whose window ended: memory stays bounded by the pairs of one window. */
  private sweep(): void {
    const now = this.now();
    if (now - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = now;
    for (const [pair, state] of this.states) if (state.expire <= now) this.states.delete(pair);
  }
}
