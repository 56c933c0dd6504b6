/**
 * Bounds how many password hashes run at once (each holds 32 MiB) and how many wait. Unbounded,
 * on libuv's thread pool (which also reads static files), a sign-up flood kept every thread busy
 * and `GET /` waited behind it (54 ms became 21.9 s); they now run on threads of their own at the
 * lowest priority (`scrypt-pool.ts`). Past the waiting bound, 503 `server-busy` with `Retry-After`.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { fail } from '../problem.ts';

export class HashQueue {
  private readonly limit: LimitFunction;
  /** A running mean of how long one hash takes, for `Retry-After`. */
  private meanMs = 100;

  constructor(
    concurrency: number,
    private readonly maxWaiting: number,
  ) {
    this.limit = pLimit(Math.max(1, concurrency));
  }

  /** Hashes running now. */
  get running(): number {
    return this.limit.activeCount;
  }

  /** Hashes waiting for a thread. */
  get waiting(): number {
    return this.limit.pendingCount;
  }

  /** Runs `hash` when a slot is free; throws 503 `server-busy` at once when the wait queue is full. */
  run<T>(hash: () => Promise<T>): Promise<T> {
    // A slot is taken at once when one is free, so a non-empty queue means every slot is busy.
    if (this.limit.pendingCount >= this.maxWaiting && this.limit.activeCount >= this.limit.concurrency) {
      const error = fail(503, 'server-busy', 'The server is busy checking passwords; try again in a moment.');
      const waitMs = ((this.limit.pendingCount + this.limit.activeCount) / this.limit.concurrency) * this.meanMs;
      error.headers['retry-after'] = String(Math.max(1, Math.ceil(waitMs / 1000)));
      return Promise.reject(error);
    }
    return this.limit(async () => {
      const started = performance.now();
      try {
        return await hash();
      } finally {
        this.meanMs = this.meanMs * 0.8 + (performance.now() - started) * 0.2;
      }
    });
  }
}
