/** Failed-login counting per key (email, IP) in fixed windows, in this process's memory. */

interface Window {
  failures: number;
  resetAt: number;
}

/** Counts failures per key; `retryAfter` says how long a key is still blocked. */
export class FailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again, or 0 when it is not blocked. */
  retryAfter(key: string): number {
    const window = this.current(key);
    if (!window || window.failures < this.limit) return 0;
    return Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
  }

  recordFailure(key: string): void {
    const window = this.current(key);
    if (window) window.failures++;
    else this.windows.set(key, { failures: 1, resetAt: this.now() + this.windowMs });
    if (this.windows.size > 10_000) this.sweep();
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  /** Drops expired windows so an attack of many keys cannot grow the map forever. */
  private sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
