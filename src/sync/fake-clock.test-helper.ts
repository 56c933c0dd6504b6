/** Test helper: a clock and timers that move only when the test says, firing timers in order of their due time. */
import type { Timers } from './timers.ts';

interface Timer {
  callback: () => void;
  dueAt: number;
}

export class FakeClock implements Timers {
  now: number;
  private readonly timers = new Map<number, Timer>();
  private nextHandle = 1;

  constructor(start = 1_000_000) {
    this.now = start;
  }

  setTimeout(callback: () => void, ms: number): number {
    const handle = this.nextHandle++;
    this.timers.set(handle, { callback, dueAt: this.now + Math.max(0, ms) });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** When the pending timers are due, soonest first (relative to now). */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.dueAt - this.now).sort((a, b) => a - b);
  }

  /**
   * Moves the clock `ms` on, firing each timer at its due time in order, with the promises its
   * callback starts settled before the next fires.
   */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.timers.entries()].sort(([, a], [, b]) => a.dueAt - b.dueAt)[0];
      if (!next || next[1].dueAt > end) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].dueAt);
      next[1].callback();
      await settle();
    }
    this.now = end;
    await settle();
  }
}

/** Lets every promise already resolved run its reactions (a few turns of the microtask queue). */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await Promise.resolve();
}
