/**
 * The engine's live status: made from the store's counts and the engine's facts (`statusOf`),
 * told to listeners only when it changes. Reads of the counts run one at a time, so an older read
 * never overwrites a newer one; counts a loop read with its last results are used as they are,
 * sparing a transaction. The engine hands it a small delegate: the active store, its facts, and
 * where to publish.
 */
import type { ActiveStore } from '../store/account-directory.ts';
import type { StoreCounts } from '../store/types.ts';
import { Coalescer } from './coalescer.ts';
import { INITIAL_STATUS, type SyncFacts, type SyncStatus, sameStatus, statusOf } from './sync-status.ts';

/** What the reporter needs of the engine. */
export interface StatusDelegate {
  /** The active store, opened if it is not yet. */
  openActive(): Promise<ActiveStore>;
  /** The active store when it is open. */
  active(): ActiveStore | null;
  /** What the engine knows besides the counts, for the active store. */
  facts(signedIn: boolean): SyncFacts;
  /** A new status of the database `database`: tell this context and the other tabs. */
  publish(status: SyncStatus, database: string): void;
  /** A read of the counts ended (it is database work the commits waited behind). */
  readEnded(): void;
}

export class StatusReporter {
  private current: SyncStatus = INITIAL_STATUS;
  private readonly reads = new Coalescer(
    () => this.read(),
    () => this.delegate.readEnded(),
  );

  constructor(private readonly delegate: StatusDelegate) {}

  status(): SyncStatus {
    return this.current;
  }

  /** Whether a read of the counts is under way. */
  get busy(): boolean {
    return this.reads.busy;
  }

  /** Reads the counts and tells the status made of them; resolves with it. */
  async refresh(): Promise<SyncStatus> {
    await this.reads.request();
    return this.current;
  }

  /** The status once any read under way has ended. */
  async settled(): Promise<SyncStatus> {
    await this.reads.idle();
    return this.current;
  }

  /**
   * Tells the status from counts a drain or pull read with its last results: a read of its own
   * would be one more transaction for a commit to wait behind. Reads them when there are none,
   * or when a read is under way (it may be older, and would be told after).
   */
  async from(counts: StoreCounts | null): Promise<void> {
    const active = this.delegate.active();
    if (counts && active && !this.reads.busy) this.tell(active, counts);
    else await this.refresh();
  }

  private async read(): Promise<void> {
    const active = await this.delegate.openActive();
    this.tell(active, await active.store.counts());
  }

  private tell({ store, signedIn }: ActiveStore, counts: StoreCounts): void {
    const status = statusOf(this.delegate.facts(signedIn), counts);
    if (sameStatus(status, this.current)) return;
    this.current = status;
    this.delegate.publish(status, store.name);
  }
}
