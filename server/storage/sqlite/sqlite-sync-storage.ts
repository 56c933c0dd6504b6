/** The sync ports over SQLite: one BEGIN IMMEDIATE transaction per write, reads on demand. */
import type Database from 'better-sqlite3';
import type { FeedPage, FeedSnapshot, SyncStorage, WriteIntent, WritePorts } from '../../sync/sync-ports.ts';
import type { CommitNotice } from '../store.ts';
import type { AccountStatements } from './account-statements.ts';
import { type EnvelopeRow, envelopeJson } from './record-rows.ts';
import { type OutcomeStatements, SqliteOutcomeLog } from './sqlite-outcome-log.ts';
import { type RecordStatements, SqliteRecordAccess } from './sqlite-record-access.ts';
import type { SyncStatements } from './sync-statements.ts';

export interface SqliteStatements {
  accounts: AccountStatements;
  records: RecordStatements;
  sync: SyncStatements;
  outcomes: OutcomeStatements;
}

/** Splices up to `limit` rows (of `limit + 1` read) into a page. */
export function pageOf(rows: EnvelopeRow[], limit: number): FeedPage {
  const hasMore = rows.length > limit;
  if (hasMore) rows.pop();
  let json = '';
  for (let i = 0; i < rows.length; i++) json += (i === 0 ? '' : ',') + envelopeJson(rows[i]);
  return { json, last: rows.length > 0 ? rows[rows.length - 1][4] : null, hasMore };
}

export class SqliteSyncStorage implements SyncStorage {
  constructor(
    private readonly db: Database.Database,
    private readonly statements: SqliteStatements,
    private readonly options: { now: () => number; quotaBytes: number; notify: (notice: CommitNotice) => void },
  ) {}

  async write<T>(_intent: WriteIntent, work: (ports: WritePorts) => T): Promise<T> {
    const { accounts, records, sync, outcomes } = this.statements;
    let access: SqliteRecordAccess | undefined;
    const result = this.db
      .transaction(() => {
        const now = this.options.now();
        const recordAccess = new SqliteRecordAccess(records, now, this.options.quotaBytes);
        access = recordAccess;
        const ports: WritePorts = {
          records: recordAccess,
          outcomes: new SqliteOutcomeLog(outcomes, now),
          clients: {
            find: (clientId) => {
              const row = sync.client.get(clientId);
              return row ? { userId: row.user_id, lastSeq: row.last_seq } : undefined;
            },
            save: (clientId, userId, lastSeq) =>
              void sync.upsertClient.run(clientId, userId, lastSeq, recordAccess.now()),
          },
          idempotency: {
            find: (userId, key) => sync.idempotent.get(userId, key),
            save: (userId, key, entry) =>
              void sync.storeIdempotent.run(userId, key, entry.fingerprint, entry.status, entry.body, now),
          },
          users: {
            emailTaken: (email) => accounts.userByEmail.get(email) !== undefined,
            insert: (user) => void accounts.insertUser.run(user.id, user.email, user.passwordHash, recordAccess.now()),
          },
          cursor: () => recordAccess.cursor,
        };
        const value = work(ports);
        recordAccess.finish();
        return value;
      })
      .immediate();
    if (access && access.changedOwners.size > 0) {
      this.options.notify({ userIds: [...access.changedOwners], cursor: access.cursor });
    }
    return result;
  }

  async readFeed(userId: string, cursor: number, limit: number): Promise<FeedSnapshot> {
    const { sync } = this.statements;
    return this.db.transaction(() => ({
      latest: sync.latestSeq.get()!,
      horizon: sync.purgeHorizon.get(userId) ?? 0,
      page: pageOf(sync.pull.all(userId, cursor, limit + 1), limit),
    }))();
  }
}
