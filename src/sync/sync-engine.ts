/**
 * The sync engine: routes triggers to the drain and the pull loops for the store of the active
 * account, keeps its own retry timers while alive, and tells what the loops changed. The same
 * engine runs in the service worker, or in the page when there is none. Its parts: each loop runs
 * through a `Coalescer`, commits gather for one drain in `CommitGathering`, and the live status
 * is the `StatusReporter`'s.
 *
 * idle ─trigger─► drain ─acknowledged > 0─► pull ─► idle
 *                   │ retry-scheduled/blocked: timer at nextAttemptAt (+ a Background Sync registration)
 *                   │ offline: a Background Sync registration (fires when connectivity returns) and a re-check timer
 *                   └ paused (401): nothing runs until `accountChanged()` (a sign-in)
 */
import type { ActiveStore } from '../store/account-directory.ts';
import type { StoreCounts, SyncStore } from '../store/types.ts';
import type { SyncChannel, SyncedChange } from './broadcast.ts';
import { isServerAwayReason, isThrottledReason } from './classify-response.ts';
import { Coalescer, Urgency } from './coalescer.ts';
import { CommitGathering } from './commit-gathering.ts';
import { type DrainResult, drainOutbox } from './drain.ts';
import type { EngineCalls } from './engine-handle.ts';
import { isUnreachableReason } from './http.ts';
import type { LockRunner } from './lock.ts';
import { type PullProgress, pullChanges } from './pull.ts';
import { StatusReporter } from './status-reporter.ts';
import { addRun, runCounts, type SyncRun, type SyncStats, statsAsOf } from './sync-stats.ts';
import type { SyncFacts, SyncStatus } from './sync-status.ts';
import type { Timers } from './timers.ts';
import { type SyncTrigger, TRIGGERS } from './triggers.ts';

/** How soon a drain that found the platform offline looks again, while the engine is alive. */
const OFFLINE_RECHECK_MS = 15_000;

/** No answer at all, or a server away for now (a 5xx, a gateway's timeout): a wait, not an error. */
function isAwayReason(reason: string | null | undefined): boolean {
  return isUnreachableReason(reason) || isServerAwayReason(reason);
}

export interface SyncEngineDeps {
  openActive(): Promise<ActiveStore>;
  fetch: typeof fetch;
  now(): number;
  random(): number;
  timers: Timers;
  isOnline(): boolean;
  lock?: LockRunner;
  channel?: SyncChannel;
  /** Asks the browser for a `sync` event (only works while a window is open; failures are ignored). */
  requestBackgroundSync?(): Promise<void>;
  /** Told of records changed by push results and pulls (for this context's own listeners). */
  onSynced?(change: SyncedChange): void;
  onStatus?(status: SyncStatus): void;
  /** Told the sync figures after each drain or pull that talked to the server (they are stored first). */
  onStats?(stats: SyncStats): void;
  baseUrl?: string;
  timeoutMs?: number;
  /**
   * How long the drain for commits waits for a pause in them (default 0: none), at most
   * COMMIT_MAX_WAIT_MS after the first. A burst of edits then costs a drain a second, not one
   * per commit competing with the next commit for the database.
   */
  commitCoalesceMs?: number;
}

/** A pull that failed is tried again after this long (or after Retry-After). */
const PULL_RETRY_MS = 30_000;

export class SyncEngine {
  private active: ActiveStore | null = null;
  private opening: Promise<ActiveStore> | null = null;
  private paused = false;
  private lastDrain: DrainResult | null = null;
  private pullError: string | null = null;
  private initialSync: PullProgress | null = null;
  private drainTimer: unknown = null;
  private pullTimer: unknown = null;
  /** The counts the last drain, and the last pull, ended on (null: none read with their results). */
  private drainCounts: StoreCounts | null = null;
  private pullCounts: StoreCounts | null = null;
  private readonly drains = new Coalescer(
    (urgency) => this.drainOnce(urgency),
    () => this.loopEnded(this.drainCounts),
  );
  private readonly pulls = new Coalescer(
    () => this.pullOnce(),
    () => this.loopEnded(this.pullCounts),
  );
  private readonly statuses: StatusReporter;
  private readonly commits: CommitGathering;
  /** The figures are stored one run at a time, in the order the runs ended. */
  private statsWrites: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SyncEngineDeps) {
    this.statuses = new StatusReporter({
      openActive: () => this.openStore(),
      active: () => this.active,
      facts: (signedIn) => this.facts(signedIn),
      publish: (status, database) => {
        this.deps.onStatus?.(status);
        this.deps.channel?.post({ type: 'status', database, status });
      },
      readEnded: () => this.commits.workEnded(),
    });
    this.commits = new CommitGathering(
      {
        now: deps.now,
        timers: deps.timers,
        working: () => this.working(),
        idle: () => this.allIdle(),
        drain: () => this.drains.request(Urgency.Gentle),
      },
      deps.commitCoalesceMs ?? 0,
    );
  }

  /** The database this engine syncs (null before it is opened). */
  get databaseName(): string | null {
    return this.active?.store.name ?? null;
  }

  /** Runs a drain for `trigger`, then a pull when the drain delivered something or the trigger calls for one. */
  async trigger(trigger: SyncTrigger): Promise<void> {
    if (trigger === 'committed' && this.deps.commitCoalesceMs) return this.commits.commit();
    // The periodic ping asks for nothing the gathering's drain will not do within a second.
    const gathered = this.commits.pending();
    if (trigger === 'ping' && gathered) return gathered;
    const { forced, pullAfter } = TRIGGERS[trigger];
    await this.drains.request(forced ? Urgency.Forced : Urgency.Normal);
    if (pullAfter) await this.pulls.request();
  }

  /** "Sync now": a drain that ignores backoff, then a pull; resolves with the status after both. */
  async syncNow(): Promise<SyncStatus> {
    await this.drains.request(Urgency.Forced);
    await this.pulls.request();
    return this.statuses.settled();
  }

  /**
   * A `sync` event. One registered on a commit fires at once while online, amid the commits it
   * was registered for: while they gather, their drain is the one it asks for (a forced drain and
   * a pull on top made the first commits of each burst wait behind several more transactions).
   * When none gather, or their drain did not empty the outbox, it syncs now.
   */
  async syncEvent(): Promise<SyncStatus> {
    const gathered = this.commits.pending();
    if (gathered) {
      await gathered;
      if (this.lastDrain?.outcome === 'empty') return this.statuses.settled();
    }
    return this.syncNow();
  }

  /** Drains now; resolves when the outbox is empty or cannot go further (offline, paused, retrying). */
  async flush(): Promise<SyncStatus> {
    await this.drains.request(Urgency.Forced);
    return this.statuses.settled();
  }

  /** Pulls now; with `after` (a poke's cursor), only when the stored cursor is behind it. */
  async pull(after?: number): Promise<SyncStatus> {
    if (after !== undefined) {
      // Most pokes are for this device's own push, still being stored: its drain moves the cursor.
      await this.drains.idle();
      const known = Math.max(this.statuses.status().cursor, this.lastDrain?.cursor ?? 0);
      if (known >= after || (await this.storedCursor()) >= after) return this.statuses.status();
    }
    await this.pulls.request();
    return this.statuses.settled();
  }

  status(): SyncStatus {
    return this.statuses.status();
  }

  /** Recomputes the status from the store and the loops; tells listeners and tabs when it changed. */
  refreshStatus(): Promise<SyncStatus> {
    return this.statuses.refresh();
  }

  /**
   * The active account changed (sign-in, sign-out): reopens the active database, unpauses,
   * and starts a drain and a pull. Resolves once the new database is in use; `flush()` or
   * `syncNow()` afterwards wait for that sync.
   */
  async accountChanged(): Promise<SyncStatus> {
    await Promise.all([this.drains.idle(), this.pulls.idle()]);
    this.active?.store.close();
    this.active = null;
    this.paused = false;
    this.lastDrain = null;
    this.pullError = null;
    this.initialSync = null;
    this.clearTimers();
    await this.openStore();
    void this.trigger('account').then(() => this.pulls.request());
    return this.refreshStatus();
  }

  /** Resolves once the figures of every run that ended so far are stored and told. */
  statsSettled(): Promise<void> {
    return this.statsWrites;
  }

  /** Stops timers and closes the store (tests, and a page engine handing over to a worker). */
  stop(): void {
    this.clearTimers();
    this.active?.store.close();
    this.active = null;
  }

  private clearTimers() {
    // Stopping or switching accounts: nobody may wait on a timer that never fires.
    this.commits.stop();
    this.deps.timers.clearTimeout(this.drainTimer);
    this.deps.timers.clearTimeout(this.pullTimer);
    this.drainTimer = null;
    this.pullTimer = null;
  }

  private working(): boolean {
    return this.drains.busy || this.pulls.busy || this.statuses.busy;
  }

  private async allIdle(): Promise<void> {
    while (this.working()) await Promise.all([this.drains.idle(), this.pulls.idle(), this.statuses.settled()]);
  }

  /** A drain or pull loop went idle: its work ended, and the status follows from what it left. */
  private loopEnded(counts: StoreCounts | null): void {
    this.commits.workEnded();
    void this.statuses.from(counts);
  }

  /**
   * Whether the last drain waits out a backoff because the server did not answer at all: a pull
   * that gets through ends that wait. Not after a 5xx or a 429: the server answered, and its
   * Retry-After (or the backoff for it) is kept.
   */
  private waitsForAnswer(): boolean {
    const drain = this.lastDrain;
    return drain?.outcome === 'retry-scheduled' && isUnreachableReason(drain.lastError);
  }

  /** Whether the last drain waits for a server that did not answer or is away (not a refusal). */
  private waitsForServer(): boolean {
    const drain = this.lastDrain;
    return drain?.outcome === 'retry-scheduled' && isAwayReason(drain.lastError);
  }

  /** Whether the server asked this device to slow down, at its last drain or pull. */
  private throttled(): boolean {
    const drain = this.lastDrain;
    return (
      (drain?.outcome === 'retry-scheduled' && isThrottledReason(drain.lastError)) || isThrottledReason(this.pullError)
    );
  }

  private facts(signedIn: boolean): SyncFacts {
    return {
      signedIn,
      paused: this.paused,
      online: this.deps.isOnline(),
      lastDrain: this.lastDrain?.outcome ?? null,
      pullError: this.pullError,
      unreachable: this.waitsForServer() || isAwayReason(this.pullError),
      throttled: this.throttled(),
      busy: this.drains.busy || this.pulls.busy,
      initialSync: this.initialSync,
    };
  }

  private async openStore(): Promise<ActiveStore> {
    if (this.active) return this.active;
    this.opening ??= this.deps.openActive().finally(() => {
      this.opening = null;
    });
    this.active = await this.opening;
    return this.active;
  }

  private loopDeps(store: SyncStore) {
    const { fetch, now, timers, isOnline, lock, baseUrl, timeoutMs } = this.deps;
    return { store, fetch, now, timers, isOnline, lock, baseUrl, timeoutMs };
  }

  private async drainOnce(urgency: Urgency): Promise<void> {
    this.drainCounts = null;
    const { store, signedIn } = await this.openStore();
    if (signedIn && !this.paused) {
      // Gentle while only commits asked for it: a stronger request waiting speeds up the rest.
      const gentle = () => urgency === Urgency.Gentle && !this.drains.waiting(Urgency.Normal);
      const startedAt = this.deps.now();
      const result = await drainOutbox({
        ...this.loopDeps(store),
        random: this.deps.random,
        force: urgency === Urgency.Forced,
        gentle,
        pause: () => this.commits.paused(gentle),
        onChanged: (records, views) => this.announce(store, { source: 'push', records, views: views ?? [] }),
      });
      this.lastDrain = result;
      this.drainCounts = result.counts;
      this.keepStats(store, {
        startedAt,
        endedAt: this.deps.now(),
        completed: result.outcome === 'empty' && result.latency.length > 0,
        failed: result.outcome === 'retry-scheduled' || result.outcome === 'blocked',
        sent: result.acknowledged,
        received: 0,
        latency: result.latency,
      });
      this.afterDrain(result);
      // A push whose results were every change since the cursor has moved it already.
      const cursor = Math.max(result.cursor, this.statuses.status().cursor);
      if (result.acknowledged > 0 && cursor < result.serverCursor) void this.pulls.request();
    }
    // The status is told once the drains are idle; before then only when another drain is due.
    if (this.drains.waiting(Urgency.Gentle)) await this.statuses.from(this.drainCounts);
  }

  /** Timers and Background Sync for what the drain left (lastSyncAt is stored with push results). */
  private afterDrain(result: DrainResult): void {
    switch (result.outcome) {
      case 'paused':
        this.paused = true;
        break;
      case 'retry-scheduled':
      case 'blocked':
        this.scheduleDrain(result.nextAttemptAt);
        void this.deps.requestBackgroundSync?.().catch(() => undefined);
        break;
      case 'offline':
        // The worker hears no `online` event: besides Background Sync, look again on a timer.
        this.scheduleDrain(this.deps.now() + OFFLINE_RECHECK_MS);
        void this.deps.requestBackgroundSync?.().catch(() => undefined);
        break;
    }
  }

  private scheduleDrain(at: number) {
    // A little late rather than early: an early timer finds the head still waiting.
    this.rearm('drainTimer', Math.max(0, at - this.deps.now()) + 50, () => this.trigger('timer'));
  }

  /** Sets one of the engine's retry timers, replacing the one set before. */
  private rearm(timer: 'drainTimer' | 'pullTimer', delay: number, run: () => Promise<void>): void {
    this.deps.timers.clearTimeout(this[timer]);
    this[timer] = this.deps.timers.setTimeout(() => {
      this[timer] = null;
      void run();
    }, delay);
  }

  private async storedCursor(): Promise<number> {
    const { store } = await this.openStore();
    return (await store.getMeta<number>('cursor')) ?? 0;
  }

  private async pullOnce(): Promise<void> {
    this.pullCounts = null;
    const { store, signedIn } = await this.openStore();
    if (!signedIn || this.paused) return;
    const startedAt = this.deps.now();
    const result = await pullChanges({
      ...this.loopDeps(store),
      onProgress: async (progress) => {
        this.initialSync = progress;
        await this.refreshStatus();
      },
      onChanged: (records, views, fromOtherDevices) =>
        this.announce(store, { source: 'pull', records, views: views ?? [], fromOtherDevices: fromOtherDevices ?? [] }),
    });
    this.pullError = result.outcome === 'failed' ? (result.error ?? 'pull failed') : null;
    this.keepStats(store, {
      startedAt,
      endedAt: this.deps.now(),
      completed: result.outcome === 'done',
      failed: result.outcome === 'failed',
      sent: 0,
      received: result.fromElsewhere,
      latency: result.latency,
    });
    // The server answered again (the event stream reopened, a pull got through): what waited out
    // a backoff for it goes now, not at the next retry.
    if (result.outcome === 'done' && this.waitsForAnswer()) void this.drains.request(Urgency.Forced);
    this.pullCounts = result.counts;
    if (result.outcome === 'paused') this.paused = true;
    if (result.outcome === 'failed') {
      this.rearm('pullTimer', result.retryAfterMs ?? PULL_RETRY_MS, () => this.pulls.request());
    }
  }

  /**
   * Adds a run to the stored figures and tells them, after the runs before it. Never rejects: the
   * figures are worth less than the sync (a store closed by an account switch skips them).
   */
  private keepStats(store: SyncStore, run: SyncRun): void {
    if (!runCounts(run)) return;
    this.statsWrites = this.statsWrites
      .then(async () => {
        const stats = statsAsOf(await store.updateSyncStats((stored) => addRun(stored, run)), run.endedAt);
        this.deps.onStats?.(stats);
        this.deps.channel?.post({ type: 'stats', database: store.name, stats });
      })
      .catch(() => undefined);
  }

  /** Tells this context and the tabs; the synced views spare them reading those records. */
  private announce(store: SyncStore, change: SyncedChange) {
    if (change.records.length === 0) return;
    this.deps.onSynced?.(change);
    this.deps.channel?.post({ type: 'synced', database: store.name, ...change });
  }
}

/** The calls of an engine running here. */
export function engineCalls(engine: SyncEngine): EngineCalls {
  return {
    status: () => engine.refreshStatus(),
    flush: () => engine.flush(),
    syncNow: () => engine.syncNow(),
    pull: (after) => engine.pull(after),
    accountChanged: () => engine.accountChanged(),
  };
}
