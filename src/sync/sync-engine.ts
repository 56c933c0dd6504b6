/**
 * The sync engine: owns the store of the active account and runs the drain and the pull on
 * triggers, with its own retry timers while alive, and aggregates the live status. The same
 * engine runs in the service worker, or in the page when there is no worker.
 *
 * idle ─trigger─► drain ─acknowledged > 0─► pull ─► idle
 *                   │ retry-scheduled/blocked: timer at nextAttemptAt (+ a Background Sync registration)
 *                   │ offline: a Background Sync registration (fires when connectivity returns) and a re-check timer
 *                   └ paused (401): nothing runs until `accountChanged()` (a sign-in)
 */
import type { SyncStatus } from '../api/client.ts';
import type { RecordRef, RecordView, StoreCounts, SyncStore } from '../store/types.ts';
import type { SyncChannel } from './broadcast.ts';
import { type DrainResult, drainOutbox } from './drain.ts';
import type { Timers } from './http.ts';
import type { LockRunner } from './lock.ts';
import { type PullProgress, pullChanges } from './pull.ts';

/** What started a drain; `force` ones ignore the head entry's backoff. */
export type SyncTrigger =
  | 'start'
  | 'navigation'
  | 'committed'
  | 'sync-event'
  | 'online'
  | 'visible'
  | 'ping'
  | 'periodic'
  | 'sync-now'
  | 'timer'
  | 'account';

/** How long the worker's drain for commits waits for a pause in them... */
export const COMMIT_COALESCE_MS = 25;
/** ...but never longer than this after the first: a long burst is still delivered as it goes. */
export const COMMIT_MAX_WAIT_MS = 1_000;
/**
 * A gathering of this many commits is a burst (an import, a script), not a person's edits, and
 * its pause must last this long to count as its end. On a busy machine one commit of a burst
 * can take 20–50 ms; taken as the end, it started a drain for a handful of commits whose
 * transactions held up the next few.
 */
export const BURST_COMMITS = 20;
export const BURST_QUIET_MS = 150;

/**
 * The longest a gentle drain's transaction waits for a pause in the commits. A person's edits
 * pause all the time; a script's burst, never: its drain then gets a transaction in this often.
 * A commit that met one waited 5–30 ms for it: a burst of 1,000 updates met about 100 of them,
 * and 6–17 of its commits took over 16 ms; yielding, 2.
 */
export const GENTLE_YIELD_MAX_MS = 250;

/** How soon a drain that found the platform offline looks again, while the engine is alive. */
const OFFLINE_RECHECK_MS = 15_000;

/**
 * A navigation is the person arriving: like coming back online, it tries at once. A worker it woke
 * lost the timer that was waiting out the backoff; where there is no Background Sync (Firefox,
 * Safari) nothing else would run it before the page's next ping, if a page stays open at all.
 */
const FORCED: ReadonlySet<SyncTrigger> = new Set([
  'sync-event',
  'online',
  'sync-now',
  'account',
  'periodic',
  'navigation',
]);
/** Triggers after which the engine also pulls (start, reconnect, coming back to the tab). */
const PULL_AFTER: ReadonlySet<SyncTrigger> = new Set([
  'start',
  'navigation',
  'online',
  'visible',
  'sync-event',
  'periodic',
  'sync-now',
]);

/** The active database: `signedIn` false is the anonymous one, which never syncs. */
export interface ActiveStore {
  store: SyncStore;
  signedIn: boolean;
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
  /** Told of records changed by push results and pulls (for this context's own listeners), with their synced views. */
  onChanged?(records: RecordRef[], views: RecordView[]): void;
  onStatus?(status: SyncStatus): void;
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

export const INITIAL_STATUS: SyncStatus = {
  state: 'local-only',
  pending: 0,
  retrying: 0,
  nextAttemptAt: null,
  lastError: null,
  failed: 0,
  conflicts: 0,
  lastSyncAt: null,
  cursor: 0,
  initialSync: null,
};

/** Commits waiting for their drain: since when, its timer, and the promise their triggers wait on. */
interface Gathering {
  firstAt: number;
  commits: number;
  dueAt: number;
  timer: unknown;
  drained: Promise<void>;
  release(drain?: Promise<void>): void;
}

function startGathering(firstAt: number): Gathering {
  let release: Gathering['release'] = () => {};
  // The executor runs at once: `release` is the promise's resolve when the object is built.
  const drained = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { firstAt, commits: 0, dueAt: Number.NaN, timer: null, drained, release };
}

/**
 * How urgently a drain is wanted: gently while the person writes (small batches), normally, or
 * forced (backoff ignored, full batches). Requests that meet in one run take the strongest.
 */
const Urgency = { Gentle: 0, Normal: 1, Forced: 2 } as const;
type Urgency = (typeof Urgency)[keyof typeof Urgency];

/** Runs one coalesced job at a time: requests made while it runs cause one more run. */
class Coalescer {
  private requested = false;
  private urgency: Urgency = Urgency.Gentle;
  private running: Promise<void> | null = null;

  constructor(
    private readonly job: (urgency: Urgency) => Promise<void>,
    private readonly onIdle?: () => void,
  ) {}

  request(urgency: Urgency = Urgency.Normal): Promise<void> {
    this.urgency = this.requested ? (Math.max(this.urgency, urgency) as Urgency) : urgency;
    this.requested = true;
    this.running ??= this.loop().finally(() => {
      this.running = null;
      this.onIdle?.();
    });
    return this.running;
  }

  /** Resolves when the current run (if any) has ended, without asking for another. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** Whether a run at least this urgent is waiting for the current one to end. */
  waiting(urgency: Urgency): boolean {
    return this.requested && this.urgency >= urgency;
  }

  private async loop() {
    while (this.requested) {
      const urgency = this.urgency;
      this.requested = false;
      // The job never rejects by contract; a bug in it must not wedge the coalescer.
      await this.job(urgency).catch(() => undefined);
    }
  }
}

export class SyncEngine {
  private active: ActiveStore | null = null;
  private opening: Promise<ActiveStore> | null = null;
  private paused = false;
  private lastDrain: DrainResult | null = null;
  private pullError: string | null = null;
  private initialSync: PullProgress | null = null;
  private current: SyncStatus = INITIAL_STATUS;
  private drainTimer: unknown = null;
  private pullTimer: unknown = null;
  private gathering: Gathering | null = null;
  private readonly statusListeners = new Set<(status: SyncStatus) => void>();
  /** When the engine's database work (drains, pulls, status reads) last ended: see `afterMoreCommits`. */
  private workEndedAt = Number.NEGATIVE_INFINITY;
  /** When the last commit was told (with `commitCoalesceMs`). */
  private lastCommitAt = Number.NEGATIVE_INFINITY;
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
  /** Status computations run one at a time, so an older one never overwrites a newer one. */
  private readonly refreshes = new Coalescer(
    () => this.computeStatus(),
    () => this.workEnded(),
  );

  constructor(private readonly deps: SyncEngineDeps) {}

  /** The database this engine syncs (null before it is opened). */
  get databaseName(): string | null {
    return this.active?.store.name ?? null;
  }

  /** Runs a drain for `trigger`, then a pull when the drain delivered something or the trigger calls for one. */
  async trigger(trigger: SyncTrigger): Promise<void> {
    if (trigger === 'committed' && this.deps.commitCoalesceMs) return this.afterMoreCommits(this.deps.commitCoalesceMs);
    // The periodic ping asks for nothing the gathering's drain will not do within a second.
    if (trigger === 'ping' && this.gathering) return this.gathering.drained;
    await this.drains.request(FORCED.has(trigger) ? Urgency.Forced : Urgency.Normal);
    if (PULL_AFTER.has(trigger)) await this.pulls.request();
  }

  /** "Sync now": a drain that ignores backoff, then a pull; resolves with the status after both. */
  async syncNow(): Promise<SyncStatus> {
    await this.drains.request(Urgency.Forced);
    await this.pulls.request();
    return this.settledStatus();
  }

  /**
   * A `sync` event. One registered on a commit fires at once while online, amid the commits it
   * was registered for: while they gather, their drain is the one it asks for (a forced drain and
   * a pull on top made the first commits of each burst wait behind several more transactions).
   * When none gather, or their drain did not empty the outbox, it syncs now.
   */
  async syncEvent(): Promise<SyncStatus> {
    const gathering = this.gathering;
    if (gathering) {
      await gathering.drained;
      if (this.lastDrain?.outcome === 'empty') return this.settledStatus();
    }
    return this.syncNow();
  }

  /** Drains now; resolves when the outbox is empty or cannot go further (offline, paused, retrying). */
  async flush(): Promise<SyncStatus> {
    await this.drains.request(Urgency.Forced);
    return this.settledStatus();
  }

  /** Pulls now; with `after` (a poke's cursor), only when the stored cursor is behind it. */
  async pull(after?: number): Promise<SyncStatus> {
    if (after !== undefined) {
      // Most pokes are for this device's own push, still being stored: its drain moves the cursor.
      await this.drains.idle();
      const known = Math.max(this.current.cursor, this.lastDrain?.cursor ?? 0);
      if (known >= after || (await this.storedCursor()) >= after) return this.current;
    }
    await this.pulls.request();
    return this.settledStatus();
  }

  status(): SyncStatus {
    return this.current;
  }

  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
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

  /**
   * One drain for the commits of a burst: `quietMs` after the last, at most COMMIT_MAX_WAIT_MS
   * after the first. The engine's own work (a drain, a pull, a status read) holds the commits
   * back while it has the database, and the pause that leaves is not quiet: while it runs no
   * drain starts before the cap, and a pause that began before it ended counts as quiet only
   * once it has lasted as long again after it (the tabs, held back that long, then take in what
   * the work announced). Counting it made each drain's transactions call up the next drain, all
   * through a burst.
   */
  private afterMoreCommits(quietMs: number): Promise<void> {
    const now = this.deps.now();
    this.gathering ??= startGathering(now);
    this.lastCommitAt = now;
    this.gathering.commits += 1;
    this.armGathering(this.gathering, quietMs);
    return this.gathering.drained;
  }

  /** When the gathering is due: after its quiet, at the latest at its cap. */
  private dueTime(gathering: Gathering, quietMs: number): number {
    const quiet = gathering.commits >= BURST_COMMITS ? Math.max(quietMs, BURST_QUIET_MS) : quietMs;
    const heldBack = Math.max(0, this.workEndedAt - this.lastCommitAt);
    const quietAt = Math.max(this.lastCommitAt, this.workEndedAt) + Math.max(quiet, heldBack);
    return Math.min(quietAt, this.capOf(gathering));
  }

  private capOf(gathering: Gathering): number {
    return gathering.firstAt + COMMIT_MAX_WAIT_MS;
  }

  private armGathering(gathering: Gathering, quietMs: number, at = this.dueTime(gathering, quietMs)): void {
    // At the cap the timer stands: re-arming it on every commit would let it never fire.
    if (gathering.dueAt === at) return;
    gathering.dueAt = at;
    this.deps.timers.clearTimeout(gathering.timer);
    gathering.timer = this.deps.timers.setTimeout(
      () => this.gatheringDue(gathering, quietMs, at),
      Math.max(0, at - this.deps.now()),
    );
  }

  private gatheringDue(gathering: Gathering, quietMs: number, armedFor: number): void {
    if (this.gathering !== gathering) return;
    // Its timer has fired: whatever is armed next is a new one, even for the same time (a timer
    // may fire a little early, before the cap it was set for).
    gathering.dueAt = Number.NaN;
    const now = this.deps.now();
    const capped = now >= this.capOf(gathering);
    if (this.working() && !capped) {
      // Due at the cap, or sooner: after the quiet that follows the work.
      this.armGathering(gathering, quietMs, this.capOf(gathering));
      void this.allIdle().then(() => this.gathering === gathering && this.armGathering(gathering, quietMs));
      return;
    }
    // Armed while work was under way, it may find the work ended since, too recently for quiet.
    if (this.dueTime(gathering, quietMs) > armedFor) {
      this.armGathering(gathering, quietMs);
      return;
    }
    this.gathering = null;
    gathering.release(this.drains.request(Urgency.Gentle));
  }

  /**
   * Resolves once the person pauses writing (the commit quiet passes without one), or after
   * GENTLE_YIELD_MAX_MS, or when the drain stops being gentle: a gentle drain awaits it before
   * each of its transactions, so the commits of a burst no longer wait behind them.
   */
  private async commitsPaused(gentle: () => boolean): Promise<void> {
    const latest = this.deps.now() + GENTLE_YIELD_MAX_MS;
    for (;;) {
      const wait = Math.min(this.lastCommitAt + (this.deps.commitCoalesceMs ?? 0), latest) - this.deps.now();
      if (wait <= 0 || !gentle()) return;
      await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, wait));
    }
  }

  private working(): boolean {
    return this.drains.busy || this.pulls.busy || this.refreshes.busy;
  }

  private async allIdle(): Promise<void> {
    while (this.working()) await Promise.all([this.drains.idle(), this.pulls.idle(), this.refreshes.idle()]);
  }

  private workEnded(): void {
    this.workEndedAt = this.deps.now();
  }

  /** A drain or pull loop went idle: its work ended, and the status follows from what it left. */
  private loopEnded(counts: StoreCounts | null): void {
    this.workEnded();
    void this.statusFrom(counts);
  }

  /** Stops timers and closes the store (tests, and a page engine handing over to a worker). */
  stop(): void {
    this.clearTimers();
    this.active?.store.close();
    this.active = null;
  }

  private clearTimers() {
    if (this.gathering) {
      // Stopping or switching accounts: nobody may wait on a timer that never fires.
      this.deps.timers.clearTimeout(this.gathering.timer);
      this.gathering.release();
      this.gathering = null;
    }
    this.deps.timers.clearTimeout(this.drainTimer);
    this.deps.timers.clearTimeout(this.pullTimer);
    this.drainTimer = null;
    this.pullTimer = null;
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
      const result = await drainOutbox({
        ...this.loopDeps(store),
        random: this.deps.random,
        force: urgency === Urgency.Forced,
        gentle,
        pause: () => this.commitsPaused(gentle),
        onChanged: (changed, views) => this.announce(store, changed, views),
      });
      this.lastDrain = result;
      this.drainCounts = result.counts;
      this.afterDrain(result);
      // A push whose results were every change since the cursor has moved it already.
      const cursor = Math.max(result.cursor, this.current.cursor);
      if (result.acknowledged > 0 && cursor < result.serverCursor) void this.pulls.request();
    }
    // The status is told once the drains are idle; before then only when another drain is due.
    if (this.drains.waiting(Urgency.Gentle)) await this.statusFrom(this.drainCounts);
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
    const result = await pullChanges({
      ...this.loopDeps(store),
      onProgress: async (progress) => {
        this.initialSync = progress;
        await this.refreshStatus();
      },
      onChanged: (changed, views) => this.announce(store, changed, views),
    });
    this.pullError = result.outcome === 'failed' ? (result.error ?? 'pull failed') : null;
    this.pullCounts = result.counts;
    if (result.outcome === 'paused') this.paused = true;
    if (result.outcome === 'failed') {
      this.rearm('pullTimer', result.retryAfterMs ?? PULL_RETRY_MS, () => this.pulls.request());
    }
  }

  /** Tells this context and the tabs; the synced views spare them reading those records. */
  private announce(store: SyncStore, records: RecordRef[], views: RecordView[] = []) {
    if (records.length === 0) return;
    this.deps.onChanged?.(records, views);
    this.deps.channel?.post({ type: 'changed', database: store.name, records, views, source: 'pull' });
  }

  /** Recomputes the status from the store and the loops; tells listeners and tabs when it changed. */
  async refreshStatus(): Promise<SyncStatus> {
    await this.refreshes.request();
    return this.current;
  }

  /** The status once any read of it under way has ended. */
  private async settledStatus(): Promise<SyncStatus> {
    await this.refreshes.idle();
    return this.current;
  }

  /**
   * Tells the status from counts a drain or pull read with its last results: a read of its own
   * would be one more transaction for a commit to wait behind. Reads them when there are none,
   * or when a read is under way (it may be older, and would be told after).
   */
  private async statusFrom(counts: StoreCounts | null): Promise<void> {
    if (counts && this.active && !this.refreshes.busy) this.tellStatus(this.active, counts);
    else await this.refreshStatus();
  }

  private async computeStatus(): Promise<void> {
    const active = await this.openStore();
    this.tellStatus(active, await active.store.counts());
  }

  private tellStatus({ store, signedIn }: ActiveStore, counts: StoreCounts): void {
    const retrying = counts.retrying > 0;
    const status: SyncStatus = {
      state: this.stateOf(signedIn, counts),
      ...counts,
      nextAttemptAt: retrying ? counts.nextAttemptAt : null,
      lastError: retrying || this.lastDrain?.outcome === 'blocked' ? counts.lastError : this.pullError,
      initialSync: this.initialSync,
    };
    if (JSON.stringify(status) !== JSON.stringify(this.current)) {
      this.current = status;
      this.deps.onStatus?.(status);
      for (const listener of this.statusListeners) listener(status);
      this.deps.channel?.post({ type: 'status', database: store.name, status });
    }
  }

  private stateOf(signedIn: boolean, { pending, failed, retrying }: StoreCounts): SyncStatus['state'] {
    if (!signedIn) return 'local-only';
    if (this.paused) return 'signed-out';
    if (!this.deps.isOnline() || this.lastDrain?.outcome === 'offline') return 'offline';
    if (this.lastDrain?.outcome === 'blocked' || failed > 0 || retrying > 0 || this.pullError) return 'error';
    if (pending > 0 || this.drains.busy || this.pulls.busy) return 'syncing';
    return 'synced';
  }
}
