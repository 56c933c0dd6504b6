/** The SQLite implementation of `Store`: one file, WAL, one BEGIN IMMEDIATE transaction per write. */
import type Database from 'better-sqlite3';
import {
  type Envelope,
  newId,
  PROTOCOL_VERSION,
  type PushRequest,
  type PushResponse,
  type TableName,
} from '../../protocol/index.ts';
import { type PreviewOutcome, requestRefresh, settlePreview } from '../previews/preview-fill.ts';
import type { PreviewJob } from '../previews/preview-queue.ts';
import { fail } from '../problem.ts';
import { applyMutation, type MutationInput } from '../sync/apply-mutation.ts';
import { applyPush } from '../sync/apply-push.ts';
import { restMutation, restResponse } from '../sync/rest-write.ts';
import { toEnvelope } from '../sync/stored-record.ts';
import { type AccountStatements, prepareAccountStatements } from './sqlite/account-statements.ts';
import { pageOf, workspacesOf } from './sqlite/envelope-pages.ts';
import { openDatabase } from './sqlite/open-database.ts';
import { rowToRecord } from './sqlite/record-rows.ts';
import { type OutcomeStatements, prepareOutcomeStatements, SqliteOutcomeLog } from './sqlite/sqlite-outcome-log.ts';
import {
  type PreviewStatements,
  preparePreviewStatements,
  rowToJob,
  SqlitePreviewQueue,
} from './sqlite/sqlite-preview-queue.ts';
import { prepareRecordStatements, type RecordStatements, SqliteRecordAccess } from './sqlite/sqlite-record-access.ts';
import { prepareSyncStatements, type SyncStatements } from './sqlite/sync-statements.ts';
import type {
  Account,
  CommitNotice,
  Credentials,
  IdempotencyInput,
  ListQuery,
  PreviewClaim,
  RestWrite,
  Store,
  StoredResponse,
  TokenInfo,
  TokenOwner,
  User,
} from './store.ts';

export interface SqliteStoreOptions {
  /** The clock (ms since epoch); tests move it to age tombstones and keys. */
  now?: () => number;
  /** Bytes of stored record fields per user (`BURROW_QUOTA_BYTES`); 0 or absent: no quota. */
  quotaBytes?: number;
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly accounts: AccountStatements;
  private readonly records: RecordStatements;
  private readonly sync: SyncStatements;
  private readonly outcomes: OutcomeStatements;
  private readonly previews: PreviewStatements;
  private readonly listeners = new Set<(notice: CommitNotice) => void>();
  private readonly now: () => number;
  private readonly quotaBytes: number;

  constructor(
    private readonly db: Database.Database,
    options: SqliteStoreOptions,
  ) {
    this.accounts = prepareAccountStatements(db);
    this.records = prepareRecordStatements(db);
    this.sync = prepareSyncStatements(db);
    this.outcomes = prepareOutcomeStatements(db);
    this.previews = preparePreviewStatements(db);
    this.now = options.now ?? Date.now;
    this.quotaBytes = options.quotaBytes ?? 0;
  }

  /** Runs `work` in one BEGIN IMMEDIATE transaction with a fresh record port, then notifies. */
  private write<T>(work: (access: SqliteRecordAccess) => T): T {
    let access: SqliteRecordAccess | undefined;
    const result = this.db
      .transaction(() => {
        const now = this.now();
        const previews = new SqlitePreviewQueue(this.previews, now);
        access = new SqliteRecordAccess(this.records, now, previews, this.quotaBytes);
        const value = work(access);
        access.finish();
        return value;
      })
      .immediate();
    if (access && access.changedOwners.size > 0)
      this.notify({ userIds: [...access.changedOwners], cursor: access.cursor });
    return result;
  }

  private notify(notice: CommitNotice): void {
    for (const listener of this.listeners) listener(notice);
  }

  /** The stored response for a repeated key, a 422 for a reused one, null for a new one. */
  private replay(userId: string, idempotency: IdempotencyInput | undefined): StoredResponse | null {
    if (!idempotency) return null;
    const stored = this.sync.idempotent.get(userId, idempotency.key);
    if (!stored) return null;
    if (stored.fingerprint !== idempotency.fingerprint) {
      throw fail(422, 'idempotency-key-reused', 'This Idempotency-Key was used with a different request.');
    }
    return { status: stored.status, body: stored.body, replayed: true };
  }

  private remember(userId: string, idempotency: IdempotencyInput | undefined, response: StoredResponse): void {
    if (!idempotency) return;
    const { key, fingerprint } = idempotency;
    this.sync.storeIdempotent.run(userId, key, fingerprint, response.status, response.body, this.now());
  }

  // — users, sessions, tokens —

  async createUser(input: { email: string; passwordHash: string; workspaceName: string }): Promise<Account> {
    return this.write((access) => {
      if (this.accounts.userByEmail.get(input.email))
        throw fail(409, 'email-taken', 'This email is already registered.');
      const userId = newId();
      this.accounts.insertUser.run(userId, input.email, input.passwordHash, access.now());
      const workspaceId = newId();
      const mutation: MutationInput = {
        table: 'workspaces',
        op: 'create',
        recordId: workspaceId,
        workspaceId,
        baseVersion: 0,
        fields: { name: input.workspaceName },
      };
      const outcome = applyMutation(access, mutation, { userId, writer: null, pointer: '' });
      if (outcome.status !== 'applied' || !outcome.record) throw new Error('the default workspace was not created');
      return { user: { id: userId, email: input.email }, workspaces: [toEnvelope(outcome.record)] };
    });
  }

  async findCredentials(email: string): Promise<Credentials | null> {
    const row = this.accounts.userByEmail.get(email);
    return row ? { user: { id: row.id, email: row.email }, passwordHash: row.password_hash } : null;
  }

  async account(userId: string): Promise<Account | null> {
    const user = this.accounts.userById.get(userId);
    if (!user) return null;
    return {
      user: { id: user.id, email: user.email },
      workspaces: workspacesOf(this.sync.liveWorkspaces.iterate(userId)),
    };
  }

  async createSession(session: { idHash: string; userId: string; expiresAt: number }): Promise<void> {
    this.accounts.insertSession.run(session.idHash, session.userId, this.now(), session.expiresAt);
  }

  async findSession(idHash: string, now: number): Promise<{ user: User; expiresAt: number } | null> {
    const row = this.accounts.sessionUser.get(idHash, now);
    return row ? { user: { id: row.id, email: row.email }, expiresAt: row.expires_at } : null;
  }

  async renewSession(idHash: string, expiresAt: number): Promise<void> {
    this.accounts.renewSession.run(expiresAt, idHash);
  }

  async deleteSession(idHash: string): Promise<void> {
    this.accounts.deleteSession.run(idHash);
  }

  async createToken(token: {
    id: string;
    userId: string;
    name: string;
    tokenHash: string;
    expiresAt: number | null;
  }): Promise<TokenInfo> {
    const createdAt = new Date(this.now()).toISOString();
    this.accounts.insertToken.run(token.id, token.userId, token.name, token.tokenHash, createdAt, token.expiresAt);
    return { id: token.id, name: token.name, createdAt, expiresAt: isoOrNull(token.expiresAt) };
  }

  async findToken(tokenHash: string): Promise<TokenOwner | null> {
    const row = this.accounts.tokenUser.get(tokenHash);
    return row ? { user: { id: row.id, email: row.email }, tokenId: row.token_id, expiresAt: row.expires_at } : null;
  }

  async listTokens(userId: string): Promise<TokenInfo[]> {
    return this.accounts.listTokens.all(userId).map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: row.created_at,
      expiresAt: isoOrNull(row.expires_at),
    }));
  }

  async deleteToken(userId: string, tokenId: string): Promise<boolean> {
    return this.accounts.deleteToken.run(userId, tokenId).changes > 0;
  }

  // — sync —

  async push(
    userId: string,
    request: PushRequest,
    options?: { idempotency?: IdempotencyInput },
  ): Promise<StoredResponse> {
    const idempotency = options?.idempotency;
    return this.write((access) => {
      const replayed = this.replay(userId, idempotency);
      if (replayed) return replayed;
      const client = this.sync.client.get(request.clientId);
      if (client && client.user_id !== userId) {
        throw fail(403, 'client-forbidden', 'This clientId belongs to another user.');
      }
      const outcomes = new SqliteOutcomeLog(this.outcomes, this.now());
      const { results, lastSeq } = applyPush(access, outcomes, userId, request, client?.last_seq ?? 0);
      this.sync.upsertClient.run(request.clientId, userId, lastSeq, access.now());
      const response: PushResponse = { protocol: PROTOCOL_VERSION, lastSeq, cursor: access.cursor, results };
      const stored: StoredResponse = { status: 200, body: JSON.stringify(response), replayed: false };
      this.remember(userId, idempotency, stored);
      return stored;
    });
  }

  async pull(userId: string, cursor: number, limit: number, knownHorizon?: number): Promise<string> {
    return this.db.transaction(() => {
      const latest = this.sync.latestSeq.get()!;
      if (cursor > latest) {
        throw fail(409, 'cursor-ahead', `Cursor ${cursor} is ahead of the server (latest ${latest}); resync from 0.`);
      }
      const horizon = this.sync.purgeHorizon.get(userId) ?? 0;
      // A client that began paging under this horizon lost nothing to the purge: the tombstones
      // it took were of records it never received (see docs/protocol.md, Purge).
      if (cursor > 0 && cursor < horizon && (knownHorizon ?? -1) < horizon) {
        throw fail(410, 'cursor-expired', `Changes before ${horizon} were purged; resync from 0.`);
      }
      const page = pageOf(this.sync.pull.iterate(userId, cursor, limit + 1), limit);
      // At the end of the feed the cursor is the server's latest seq, never below a purge horizon.
      const next = page.hasMore ? page.last : latest;
      return `{"protocol":${PROTOCOL_VERSION},"changes":[${page.json}],"cursor":${next},"hasMore":${page.hasMore},"horizon":${horizon}}`;
    })();
  }

  async latestSeq(): Promise<number> {
    return this.sync.latestSeq.get()!;
  }

  // — REST —

  async listRecords(userId: string, table: TableName, query: ListQuery): Promise<string> {
    const workspaceId = query.workspaceId ?? null;
    const rows = this.sync.list.iterate(
      userId,
      table,
      query.cursor,
      workspaceId,
      workspaceId,
      query.includeDeleted ? 1 : 0,
      query.limit + 1,
    );
    const page = pageOf(rows, query.limit);
    return `{"items":[${page.json}],"cursor":${page.last ?? query.cursor},"hasMore":${page.hasMore}}`;
  }

  async getRecord(userId: string, table: TableName, id: string): Promise<Envelope | null> {
    const row = this.records.get.get(table, id);
    return row && row.owner_id === userId ? toEnvelope(rowToRecord(row)) : null;
  }

  async writeRecord(
    userId: string,
    write: RestWrite,
    options?: { idempotency?: IdempotencyInput },
  ): Promise<StoredResponse> {
    const idempotency = options?.idempotency;
    return this.write((access) => {
      const replayed = this.replay(userId, idempotency);
      if (replayed) return replayed;
      const input = restMutation(access, userId, write);
      const outcome = applyMutation(access, input, { userId, writer: null, pointer: '' });
      const stored = restResponse(write, outcome);
      this.remember(userId, idempotency, stored);
      return stored;
    });
  }

  // — link previews —

  async claimPreviewJobs(claim: PreviewClaim): Promise<PreviewJob[]> {
    return this.db
      .transaction(() => {
        const rows = this.previews.due.all({
          now: claim.now,
          busy_owners: JSON.stringify(claim.busyOwners),
          busy_hosts: JSON.stringify(claim.busyHosts),
          limit: claim.limit,
        });
        for (const row of rows) {
          this.previews.lease.run({
            card_id: row.card_id,
            generation: row.generation,
            until: claim.now + claim.leaseMs,
          });
        }
        return rows.map(rowToJob);
      })
      .immediate();
  }

  async settlePreview(job: PreviewJob, outcome: PreviewOutcome): Promise<'applied' | 'stale'> {
    return this.write((access) => settlePreview(access, access.previews, job, outcome));
  }

  async retryPreviewJob(job: PreviewJob, runAt: number, error: string): Promise<void> {
    this.previews.retry.run({
      card_id: job.cardId,
      generation: job.generation,
      attempts: job.attempts + 1,
      run_at: runAt,
      error,
    });
  }

  async releasePreviewLeases(): Promise<number> {
    return this.previews.releaseLeases.run().changes;
  }

  async nextPreviewRunAt(): Promise<number | null> {
    return this.previews.nextRunAt.get() ?? null;
  }

  async refreshPreview(userId: string, cardId: string): Promise<boolean> {
    return this.write((access) => requestRefresh(access, access.previews, userId, cardId));
  }

  async mayReadMedia(userId: string, hash: string): Promise<boolean> {
    return this.previews.mayReadMedia.get(userId, hash) === 1;
  }

  // — maintenance —

  async purgeTombstones(before: string): Promise<number> {
    return this.db
      .transaction(() => {
        this.sync.raiseHorizons.run(before, before);
        return this.sync.purgeTombstones.run(before).changes;
      })
      .immediate();
  }

  async reapIdempotency(before: number): Promise<number> {
    const reaped = this.sync.reapIdempotency.run(before).changes;
    this.accounts.deleteExpiredSessions.run(this.now());
    return reaped;
  }

  async reapOutcomes(before: number): Promise<number> {
    return this.outcomes.reap.run(before).changes;
  }

  onCommit(listener: (notice: CommitNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }
}

/**
 * Opens (creating and migrating when needed) the SQLite store at `file`.
 * `:memory:` works for quick experiments; tests use a real file in a temp dir.
 */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  return new SqliteStore(openDatabase(file), options);
}
