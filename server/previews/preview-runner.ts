/**
 * The loop that works through the preview queue: takes due jobs within the policy's limits,
 * fetches them off the push path, and settles each as a server write (a new version, a poke).
 *
 *   idle ──commit / timer──▶ tick ──claim──▶ job running ──▶ settle or retry ──▶ tick
 *
 * It never rejects: a failure is a job's outcome (retried, then `failed` on the card) or a log line.
 */
import type { Logger } from '../logger.ts';
import type { Store } from '../storage/store.ts';
import { mayRetry, type PreviewPolicy, retryDelay } from './preview-policy.ts';
import type { PreviewJob } from './preview-queue.ts';
import type { LinkPreview, MediaBudget } from './unfurl.ts';
import { asUnfurlError } from './unfurl-error.ts';

/** Fetches one URL's preview, storing images within `budget`; `signal` ends it when the runner stops. */
export type Unfurl = (url: string, signal: AbortSignal, budget: MediaBudget) => Promise<LinkPreview>;

export interface PreviewRunnerDeps {
  store: Store;
  unfurl: Unfurl;
  policy: PreviewPolicy;
  logger: Logger;
  /** Bytes of stored images one person's previews may hold in all (unbounded when absent). */
  mediaQuotaBytes?: number;
  now?: () => number;
  random?: () => number;
}

interface Running {
  job: PreviewJob;
  controller: AbortController;
  done: Promise<void>;
}

export class PreviewRunner {
  private readonly running = new Map<string, Running>();
  private lastStart = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private again = false;
  private stopped = true;
  private unsubscribe: (() => void) | null = null;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly deps: PreviewRunnerDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  /**
   * Starts the loop. `releaseLeases`: this is the only runner on its store (the embedded
   * SQLite server), so what a crashed process held is free again at once.
   */
  async start(options: { releaseLeases: boolean }): Promise<void> {
    this.stopped = false;
    if (options.releaseLeases) await this.deps.store.releasePreviewLeases();
    // A commit may have queued a job (a link created or its URL changed, a refresh).
    this.unsubscribe = this.deps.store.onCommit(() => this.kick());
    this.kick();
  }

  /** Stops taking jobs, ends the fetches in flight and waits for them (their jobs stay queued). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    for (const { controller } of this.running.values()) controller.abort();
    await Promise.all([...this.running.values()].map(({ done }) => done));
  }

  /** How many fetches run now. */
  get active(): number {
    return this.running.size;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.wakeIn(0);
  }

  private wakeIn(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    this.again = false;
    try {
      await this.startDueJob();
    } catch (error) {
      this.deps.logger.log('error', 'preview queue failed', { error: String(error) });
      this.wakeIn(this.deps.policy.idlePollMs);
    } finally {
      this.ticking = false;
    }
    if (this.again) this.kick();
  }

  /**
   * Starts at most one job, then plans the next look. The limits in all, per person and per
   * host are the claim's, counted in the database over every runner sharing it (each process
   * of a PostgreSQL deployment runs one); the pace of starts is this runner's.
   */
  private async startDueJob(): Promise<void> {
    const { policy, store } = this.deps;
    if (this.running.size >= policy.globalConcurrency) return; // a job's end kicks
    const now = this.now();
    const paceWait = this.lastStart + policy.startIntervalMs - now;
    if (paceWait > 0) return this.wakeIn(paceWait);
    const [job] = await store.claimPreviewJobs({ now, leaseMs: policy.leaseMs, limit: 1, limits: policy });
    // Stopped meanwhile: the job stays leased, and the next start releases it.
    if (this.stopped) return;
    if (!job) return this.wakeIn(await this.idleWait(now));
    this.lastStart = now;
    this.launch(job);
    this.wakeIn(policy.startIntervalMs);
  }

  /**
   * Until the next job is due, or the idle poll. Jobs due but held back (their host fetched
   * from within the gap, their owner or the server at the limit, maybe by another process's
   * runner) are looked at again after a host's gap.
   */
  private async idleWait(now: number): Promise<number> {
    const { policy } = this.deps;
    let wait = policy.idlePollMs;
    const next = await this.deps.store.nextPreviewRunAt();
    if (next !== null) wait = Math.min(wait, next > now ? next - now : policy.hostGapMs);
    return Math.max(wait, policy.startIntervalMs);
  }

  private launch(job: PreviewJob): void {
    const controller = new AbortController();
    const done = this.run(job, controller.signal).finally(() => {
      this.running.delete(job.cardId);
      this.kick();
    });
    this.running.set(job.cardId, { job, controller, done });
  }

  private async run(job: PreviewJob, signal: AbortSignal): Promise<void> {
    const { store, policy, logger } = this.deps;
    try {
      // Read before the fetch: two of one person's fetches at once may each use what is left,
      // so the quota is kept to within one preview's images per fetch the person may run at once.
      const used = this.deps.mediaQuotaBytes === undefined ? 0 : await store.mediaBytes(job.ownerId);
      const budget = { bytesLeft: Math.max(0, (this.deps.mediaQuotaBytes ?? Number.POSITIVE_INFINITY) - used) };
      const preview = await this.deps.unfurl(job.url, signal, budget);
      if (signal.aborted) return;
      await store.settlePreview(job, { status: 'ready', preview });
    } catch (caught) {
      // Stopping: the job stays queued under its lease, released when the server starts again.
      if (signal.aborted && this.stopped) return;
      const error = asUnfurlError(caught);
      try {
        if (error.transient && mayRetry(job, policy)) {
          const runAt = this.now() + retryDelay(job.attempts + 1, policy, this.random());
          await store.retryPreviewJob(job, runAt, error.message);
        } else {
          await store.settlePreview(job, { status: 'failed', error: error.message.slice(0, 500) });
        }
      } catch (storeError) {
        logger.log('error', 'preview could not be settled', { cardId: job.cardId, error: String(storeError) });
      }
    }
  }
}
