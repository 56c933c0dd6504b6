/**
 * The sync ports over PostgreSQL. A write transaction is two round trips whatever a push's size:
 * BEGIN with the loads of what its writes will read and the seq counter's lock
 * (`load-writes.ts`); then, its writes applied in memory, the changes in multi-row statements,
 * its notification and COMMIT (`flush-writes.ts`).
 *
 * Group commit: while a transaction is in flight, the writes that arrive wait, and the next
 * transaction takes them all (up to `GROUP_LIMIT`), each in a layer of its own so one write's
 * refusal undoes that write only; each is answered after the shared commit.
 *
 * A transaction that meets a serialization failure, a deadlock or a unique violation (two
 * processes claiming one new id) is run again from the start, its writes with it.
 */
import { LIMITS } from '../../../protocol/index.ts';
import type { FeedSnapshot, SyncStorage, WriteIntent, WritePorts } from '../../sync/sync-ports.ts';
import { pageOf } from '../envelope-pages.ts';
import type { CommitNotice } from '../store.ts';
import { inOneRoundTrip, onOwnConnection, type Sql } from './connect.ts';
import { flushWrites } from './flush-writes.ts';
import { loadWrites } from './load-writes.ts';
import { withinPageBudget } from './page-query.ts';
import { ENVELOPE_COLUMNS, envelopeBytes, type PgEnvelopeRow } from './record-rows.ts';
import { LoadMoreError, type MoreToLoad } from './working-set.ts';

/** At most this many writes share one transaction. */
const GROUP_LIMIT = 64;
/** How often a transaction that met a conflict is run again before the error is the answer. */
const MAX_ATTEMPTS = 8;
/** serialization_failure, deadlock_detected, unique_violation. */
const RETRYABLE = new Set(['40001', '40P01', '23505']);

interface PendingWrite {
  intent: WriteIntent;
  work: (ports: WritePorts) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface PgSyncStorageOptions {
  now: () => number;
  quotaBytes: number;
  /** Writes that arrive while a transaction is in flight join the next one (default on). */
  groupCommit: boolean;
  /** This process's name in commit notifications (it ignores its own). */
  origin: string;
  /** Whether commits notify the other processes now (`notify-queue.ts`). */
  notifies: () => boolean;
  notify: (notice: CommitNotice) => void;
}

function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE.has((error as { code?: string }).code ?? '');
}

export class PgSyncStorage implements SyncStorage {
  private readonly waiting: PendingWrite[] = [];
  private running = false;

  constructor(
    private readonly sql: Sql,
    private readonly options: PgSyncStorageOptions,
  ) {}

  write<T>(intent: WriteIntent, work: (ports: WritePorts) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: PendingWrite = { intent, work, resolve: resolve as (value: unknown) => void, reject };
      if (!this.options.groupCommit) {
        void this.runGroup([pending]);
        return;
      }
      this.waiting.push(pending);
      // The first write waits for the end of this turn, so writes that arrive together share it.
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Runs the waiting writes group after group until none wait; never rejects. */
  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.runGroup(this.waiting.splice(0, GROUP_LIMIT));
    } finally {
      this.running = false;
    }
  }

  /** One transaction for `group`; settles every write of it. Never rejects. */
  private async runGroup(group: PendingWrite[]): Promise<void> {
    const more: MoreToLoad = { records: [], links: [] };
    for (let attempt = 1; ; attempt++) {
      try {
        const { answers, notice } = await this.transact(group, more);
        if (notice) this.options.notify(notice);
        for (const [index, answer] of answers.entries()) {
          if (answer.ok) group[index].resolve(answer.value);
          else group[index].reject(answer.error);
        }
        return;
      } catch (error) {
        if (error instanceof LoadMoreError) {
          // Each time a record or a URL more is loaded, so this ends; it is no conflict.
          more.records.push(...error.more.records);
          more.links.push(...error.more.links);
          attempt--;
          continue;
        }
        if (attempt < MAX_ATTEMPTS && isRetryable(error)) continue;
        for (const pending of group) pending.reject(error);
        return;
      }
    }
  }

  /**
   * One write transaction in two round trips: BEGIN with the loads, the writes with COMMIT. A
   * failure anywhere rolls it back (a batch skips what follows the query that failed, COMMIT too).
   */
  private transact(group: PendingWrite[], more: MoreToLoad) {
    return onOwnConnection(this.sql, async (tx) => {
      const set = await loadWrites(
        tx,
        group.map((pending) => pending.intent),
        this.options.quotaBytes,
        this.options.now(),
        more,
        // Its lookups are by key, their best plan the same whatever the keys: planning each
        // anew (PostgreSQL's custom plans) cost ~0.3 ms a push.
        [tx`BEGIN`, tx`SET LOCAL plan_cache_mode = force_generic_plan`],
      );
      const startSeq = set.cursor;
      const ports = set.ports();
      const answers = group.map((pending) => {
        try {
          const value = pending.work(ports);
          set.keep();
          return { ok: true as const, value };
        } catch (error) {
          // Not this write's refusal: the whole transaction runs again with more loaded.
          if (error instanceof LoadMoreError) throw error;
          set.drop();
          return { ok: false as const, error };
        }
      });
      const notifying = { origin: this.options.origin, notifies: this.options.notifies() };
      await flushWrites(tx, set, startSeq, notifying, [tx`COMMIT`]);
      const userIds = [...set.changedOwners.entries()].map(([id]) => id);
      const notice: CommitNotice | null = userIds.length > 0 ? { userIds, cursor: set.cursor } : null;
      return { answers, notice };
    });
  }

  /**
   * One REPEATABLE READ snapshot: the counter, the horizon and the page agree. A writer holds
   * the counter's lock until its commit is visible, so every change at or below the counter
   * read here is in this snapshot: the page never skips one that commits later.
   */
  async readFeed(userId: string, cursor: number, limit: number): Promise<FeedSnapshot> {
    // One round trip, BEGIN to COMMIT.
    const [[counter], horizonRows, rows] = await onOwnConnection(this.sql, (tx) =>
      inOneRoundTrip(
        tx,
        [tx`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`],
        [
          tx<{ value: number }[]>`SELECT value FROM counters WHERE name = 'seq'`,
          tx<{ purge_horizon: number }[]>`SELECT purge_horizon FROM users WHERE id = ${userId}`,
          tx
            .unsafe<PgEnvelopeRow[]>(
              withinPageBudget(
                `SELECT ${ENVELOPE_COLUMNS} FROM records WHERE owner_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
                '$4',
              ),
              [userId, cursor, limit + 1, LIMITS.pageBytes] as never[],
              { prepare: true },
            )
            .values(),
          tx`COMMIT`,
        ],
      ),
    );
    return {
      latest: counter.value,
      horizon: horizonRows[0]?.purge_horizon ?? 0,
      page: pageOf(rows as unknown as PgEnvelopeRow[], envelopeBytes, limit),
    };
  }
}
