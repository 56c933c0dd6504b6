/**
 * A commit after a quiet spell leads: its drain starts at once, for a commit made alone (a click,
 * a draft's write) is delivered without waiting to see whether more follow. The commits after it
 * wait for one drain: it starts `quietMs` after the last commit, at most COMMIT_MAX_WAIT_MS after
 * the first, and runs gently (see `drain.ts`), yielding to the person before each of its
 * transactions. The engine hands it a small delegate: its clock and timers, whether its database
 * work runs, and the drain to start.
 *
 *   none ─commit after quiet─► leading drain requested ─► none (when it has run)
 *   none ─other commit─► gathering ─quiet (or the cap) passed─► drain requested ─► none
 *                          │ ▲ commit: later due time (never past the cap)
 *                          └─┘ due while the engine works: re-armed for the quiet after the work
 */
import type { Timers } from './timers.ts';

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

/** What the gathering needs of the engine. */
export interface GatheringDelegate {
  now(): number;
  timers: Timers;
  /** Whether the engine's database work (a drain, a pull, a status read) is under way. */
  working(): boolean;
  /** Resolves once none of that work is under way. */
  idle(): Promise<void>;
  /** Starts the gentle drain the gathered commits wait for; resolves when it has run. */
  drain(): Promise<void>;
}

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

export class CommitGathering {
  private gathering: Gathering | null = null;
  /** When the engine's database work last ended: the pause it held the commits back for is not quiet. */
  private workEndedAt = Number.NEGATIVE_INFINITY;
  /** When the last commit was told. */
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  /** The drain a leading commit started, while it runs, and that commit's time. */
  private leading: { drained: Promise<void>; at: number } | null = null;

  constructor(
    private readonly delegate: GatheringDelegate,
    private readonly quietMs: number,
  ) {}

  /**
   * A commit was made: its drain runs `quietMs` after the last commit, at most COMMIT_MAX_WAIT_MS
   * after the first. The engine's own work holds the commits back while it has the database, and
   * the pause that leaves is not quiet: while it runs no drain starts before the cap, and a pause
   * that began before it ended counts as quiet only once it has lasted as long again after it (the
   * tabs, held back that long, then take in what the work announced). Counting it made each drain's
   * transactions call up the next drain, all through a burst. Resolves when that drain has run.
   */
  commit(): Promise<void> {
    const now = this.delegate.now();
    if (this.leads(now)) return this.lead(now);
    this.gathering ??= startGathering(now);
    this.lastCommitAt = now;
    this.gathering.commits += 1;
    this.arm(this.gathering);
    return this.gathering.drained;
  }

  /** The drain the commits made now wait for: the gathering's, or a leading commit's while it runs (null: none). */
  pending(): Promise<void> | null {
    return this.gathering?.drained ?? this.leading?.drained ?? null;
  }

  /** The engine's database work ended now. */
  workEnded(): void {
    this.workEndedAt = this.delegate.now();
  }

  /**
   * Resolves once the person pauses writing (`quietMs` pass without a commit), or after
   * GENTLE_YIELD_MAX_MS, or when the drain stops being gentle: a gentle drain awaits it before
   * each of its transactions, so the commits of a burst no longer wait behind them.
   */
  async paused(gentle: () => boolean): Promise<void> {
    // Nothing committed since the leading commit: there is no one writing to yield to.
    if (this.leading?.at === this.lastCommitAt) return;
    const latest = this.delegate.now() + GENTLE_YIELD_MAX_MS;
    for (;;) {
      const wait = Math.min(this.lastCommitAt + this.quietMs, latest) - this.delegate.now();
      if (wait <= 0 || !gentle()) return;
      await new Promise<void>((resolve) => this.delegate.timers.setTimeout(resolve, wait));
    }
  }

  /** Stops waiting (stopping, or switching accounts): whoever waits is released, and nothing drains. */
  stop(): void {
    this.leading = null;
    if (!this.gathering) return;
    this.delegate.timers.clearTimeout(this.gathering.timer);
    this.gathering.release();
    this.gathering = null;
  }

  /**
   * Whether a commit made `now` leads: nothing gathers or leads, and `quietMs` passed since the
   * last commit. The engine's own work does not count here: a commit it held back finds a
   * gathering (the commits made during the work) or leads once, and the ones after it gather.
   * A burst's first commit leads too: one push more per burst, not per commit.
   */
  private leads(now: number): boolean {
    return !this.gathering && !this.leading && now - this.lastCommitAt >= this.quietMs;
  }

  private lead(now: number): Promise<void> {
    this.lastCommitAt = now;
    const drained = this.delegate.drain();
    const leading = { drained, at: now };
    this.leading = leading;
    const done = () => {
      if (this.leading === leading) this.leading = null;
    };
    void drained.then(done, done);
    return drained;
  }

  /** When the gathering is due: after its quiet, at the latest at its cap. */
  private dueTime(gathering: Gathering): number {
    const quiet = gathering.commits >= BURST_COMMITS ? Math.max(this.quietMs, BURST_QUIET_MS) : this.quietMs;
    const heldBack = Math.max(0, this.workEndedAt - this.lastCommitAt);
    const quietAt = Math.max(this.lastCommitAt, this.workEndedAt) + Math.max(quiet, heldBack);
    return Math.min(quietAt, capOf(gathering));
  }

  private arm(gathering: Gathering, at = this.dueTime(gathering)): void {
    // At the cap the timer stands: re-arming it on every commit would let it never fire.
    if (gathering.dueAt === at) return;
    gathering.dueAt = at;
    this.delegate.timers.clearTimeout(gathering.timer);
    gathering.timer = this.delegate.timers.setTimeout(
      () => this.due(gathering, at),
      Math.max(0, at - this.delegate.now()),
    );
  }

  private due(gathering: Gathering, armedFor: number): void {
    if (this.gathering !== gathering) return;
    // Its timer has fired: whatever is armed next is a new one, even for the same time (a timer
    // may fire a little early, before the cap it was set for).
    gathering.dueAt = Number.NaN;
    const capped = this.delegate.now() >= capOf(gathering);
    if (this.delegate.working() && !capped) {
      // Due at the cap, or sooner: after the quiet that follows the work.
      this.arm(gathering, capOf(gathering));
      void this.delegate.idle().then(() => this.gathering === gathering && this.arm(gathering));
      return;
    }
    // Armed while work was under way, it may find the work ended since, too recently for quiet.
    if (this.dueTime(gathering) > armedFor) {
      this.arm(gathering);
      return;
    }
    this.gathering = null;
    gathering.release(this.delegate.drain());
  }
}

function capOf(gathering: Gathering): number {
  return gathering.firstAt + COMMIT_MAX_WAIT_MS;
}
