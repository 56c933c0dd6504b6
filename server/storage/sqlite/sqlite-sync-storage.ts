/** The sync ports over SQLite: one BEGIN IMMEDIATE transaction per write, reads on demand. */
import type Database from 'better-sqlite3';
import type { FeedSnapshot, SyncStorage, WriteIntent, WritePorts } from '../../sync/sync-ports.ts';
import { pageInSlices } from '../envelope-pages.ts';
import type { CommitNotice } from '../store.ts';
import type { AccountStatements } from './account-statements.ts';
import { envelopeBytes } from './record-rows.ts';
import { type OutcomeStatements, SqliteOutcomeLog } from './sqlite-outcome-log.ts';
import { type PreviewStatements, SqlitePreviewQueue } from './sqlite-preview-queue.ts';
import { type RecordStatements, SqliteRecordAccess } from './sqlite-record-access.ts';
import type { SyncStatements } from './sync-statements.ts';

export interface SqliteStatements {
  accounts: AccountStatements;
  records: RecordStatements;
  sync: SyncStatements;
  outcomes: OutcomeStatements;
  previews: PreviewStatements;
}

interface PendingWrite {
  work: (ports: WritePorts) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface SqliteSyncStorageOptions {
  now: () => number;
  quotaBytes: number;
  /** Writes that arrive in the same turn of the event loop share one transaction (default on). */
  groupCommit: boolean;
  notify: (notice: CommitNotice) => void;
}

/**
 * Group commit: a write waits for the end of the event loop's turn (setImmediate), and every
 * write queued by then runs in one BEGIN IMMEDIATE transaction with one fsync, each in a
 * savepoint of its own (better-sqlite3 nests transactions as savepoints), so one write's
 * refusal rolls back that write only. Requests that arrive while a commit blocks the loop are
 * read in the next turn together, so under load the groups grow by themselves.
 */
export class SqliteSyncStorage implements SyncStorage {
  private queue: PendingWrite[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly statements: SqliteStatements,
    private readonly options: SqliteSyncStorageOptions,
  ) {}

  write<T>(_intent: WriteIntent, work: (ports: WritePorts) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: PendingWrite = { work, resolve: resolve as (value: unknown) => void, reject };
      if (!this.options.groupCommit) return this.runGroup([pending]);
      this.queue.push(pending);
      if (this.queue.length === 1) setImmediate(() => this.runGroup(this.queue.splice(0)));
    });
  }

  /** One transaction for `group`, a savepoint per write; settles every write. */
  private runGroup(group: PendingWrite[]): void {
    const changedOwners = new Set<string>();
    let cursor = 0;
    let answers: { ok: boolean; value?: unknown; error?: unknown }[];
    try {
      answers = this.db
        .transaction(() =>
          group.map((pending) => {
            try {
              const { value, access } = this.db.transaction(() => this.runOne(pending.work))();
              for (const owner of access.changedOwners) changedOwners.add(owner);
              cursor = access.cursor;
              return { ok: true, value };
            } catch (error) {
              return { ok: false, error };
            }
          }),
        )
        .immediate();
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    if (changedOwners.size > 0) this.options.notify({ userIds: [...changedOwners], cursor });
    answers.forEach((answer, index) => {
      if (answer.ok) group[index].resolve(answer.value);
      else group[index].reject(answer.error);
    });
  }

  /** One write's ports and work, inside its savepoint. */
  private runOne(work: (ports: WritePorts) => unknown) {
    const { accounts, records, sync, outcomes, previews } = this.statements;
    const now = this.options.now();
    const queue = new SqlitePreviewQueue(previews, now);
    const access = new SqliteRecordAccess(records, now, queue, this.options.quotaBytes);
    const ports: WritePorts = {
      records: access,
      outcomes: new SqliteOutcomeLog(outcomes, now),
      clients: {
        find: (clientId) => {
          const row = sync.client.get(clientId);
          return row ? { userId: row.user_id, lastSeq: row.last_seq } : undefined;
        },
        save: (clientId, userId, lastSeq) => void sync.upsertClient.run(clientId, userId, lastSeq, access.now()),
      },
      idempotency: {
        find: (userId, key) => sync.idempotent.get(userId, key),
        save: (userId, key, entry) =>
          void sync.storeIdempotent.run(userId, key, entry.fingerprint, entry.status, entry.body, now),
      },
      users: {
        emailTaken: (email) => accounts.userByEmail.get(email) !== undefined,
        insert: (user) => void accounts.insertUser.run(user.id, user.email, user.passwordHash, access.now()),
      },
      previews: queue,
      cursor: () => access.cursor,
    };
    const value = work(ports);
    access.finish();
    return { value, access };
  }

  /** Read in slices (`pageInSlices`), each bounded by the latest seq when the read began. */
  async readFeed(userId: string, cursor: number, limit: number): Promise<FeedSnapshot> {
    const { sync } = this.statements;
    const { latest, horizon } = this.db.transaction(() => ({
      latest: sync.latestSeq.get()!,
      horizon: sync.purgeHorizon.get(userId) ?? 0,
    }))();
    const readSlice = (after: number, count: number) => sync.pull.iterate(userId, after, latest, count);
    return { latest, horizon, page: await pageInSlices(cursor, readSlice, envelopeBytes, limit) };
  }
}
