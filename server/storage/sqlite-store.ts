/** The SQLite implementation of `Store`: one file, WAL, one BEGIN IMMEDIATE transaction per write. */
import type Database from 'better-sqlite3';
import type { Envelope, PushRequest, TableName } from '../../protocol/index.ts';
import { mediaReferenceKey, mediaReferences } from '../previews/media-references.ts';
import type { PreviewOutcome } from '../previews/preview-fill.ts';
import { busyKeys, CLAIM_CANDIDATES_PER_JOB, pickJobs } from '../previews/preview-policy.ts';
import type { PreviewJob } from '../previews/preview-queue.ts';
import { toEnvelope } from '../sync/stored-record.ts';
import { SyncService } from '../sync/sync-service.ts';
import { type JsonPieces, jsonAround, pageInSlices, workspacesOf } from './envelope-pages.ts';
import { type AccountStatements, prepareAccountStatements } from './sqlite/account-statements.ts';
import { openDatabase } from './sqlite/open-database.ts';
import { envelopeBytes, rowToRecord } from './sqlite/record-rows.ts';
import { type OutcomeStatements, prepareOutcomeStatements } from './sqlite/sqlite-outcome-log.ts';
import { type PreviewStatements, preparePreviewStatements, rowToJob } from './sqlite/sqlite-preview-queue.ts';
import { prepareRecordStatements, type RecordStatements } from './sqlite/sqlite-record-access.ts';
import { SqliteSyncStorage } from './sqlite/sqlite-sync-storage.ts';
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
  /** Writes that arrive together share one transaction (default true; `BURROW_GROUP_COMMIT=0`). */
  groupCommit?: boolean;
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
  private readonly service: SyncService;

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
    const statements = {
      accounts: this.accounts,
      records: this.records,
      sync: this.sync,
      outcomes: this.outcomes,
      previews: this.previews,
    };
    this.service = new SyncService(
      new SqliteSyncStorage(db, statements, {
        now: this.now,
        quotaBytes: options.quotaBytes ?? 0,
        groupCommit: options.groupCommit ?? true,
        notify: (notice) => this.notify(notice),
      }),
    );
  }

  private notify(notice: CommitNotice): void {
    for (const listener of this.listeners) listener(notice);
  }

  // — users, sessions, tokens —

  async createUser(input: { email: string; passwordHash: string; workspaceName: string }): Promise<Account> {
    return this.service.createUser(input);
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
      workspaces: workspacesOf(this.sync.liveWorkspaces.iterate(userId), envelopeBytes),
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
    return this.service.push(userId, request, options?.idempotency);
  }

  async pull(userId: string, cursor: number, limit: number, knownHorizon?: number): Promise<JsonPieces> {
    return this.service.pull(userId, cursor, limit, knownHorizon);
  }

  async latestSeq(): Promise<number> {
    return this.sync.latestSeq.get()!;
  }

  // — REST —

  async listRecords(userId: string, table: TableName, query: ListQuery): Promise<JsonPieces> {
    const workspaceId = query.workspaceId ?? null;
    const deleted = query.includeDeleted ? 1 : 0;
    // Read in slices, bounded by the latest seq now, as pull is (`pageInSlices`).
    const through = this.sync.latestSeq.get()!;
    const readSlice = (after: number, count: number) =>
      this.sync.list.iterate(userId, table, after, through, workspaceId, workspaceId, deleted, count);
    const page = await pageInSlices(query.cursor, readSlice, envelopeBytes, query.limit);
    return jsonAround('{"items":[', page, `],"cursor":${page.last ?? query.cursor},"hasMore":${page.hasMore}}`);
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
    return this.service.writeRecord(userId, write, options?.idempotency);
  }

  // — link previews —

  /** Reads the limits' state and takes jobs in one immediate transaction: no other claim comes between. */
  async claimPreviewJobs(claim: PreviewClaim): Promise<PreviewJob[]> {
    const { now, limits } = claim;
    return this.db
      .transaction(() => {
        const running = this.previews.leased.all(now).map((row) => ({ ownerId: row.owner_id, host: row.host }));
        if (running.length >= limits.globalConcurrency) return [];
        this.previews.forgetHostStarts.run(now - limits.hostGapMs);
        const hostStarts = new Map(
          this.previews.hostStarts.all(now - limits.hostGapMs).map((row) => [row.host, row.started_at]),
        );
        const busy = busyKeys(running, hostStarts, now, limits);
        const candidates = this.previews.due
          .all({
            now,
            busy_owners: JSON.stringify(busy.busyOwners),
            busy_hosts: JSON.stringify(busy.busyHosts),
            limit: claim.limit * CLAIM_CANDIDATES_PER_JOB,
          })
          .map(rowToJob);
        const picked = pickJobs(candidates, running, hostStarts, now, limits, claim.limit);
        for (const job of picked) {
          this.previews.lease.run({ card_id: job.cardId, generation: job.generation, until: now + claim.leaseMs });
          this.previews.noteHostStart.run(job.host, now);
        }
        return picked;
      })
      .immediate();
  }

  async settlePreview(job: PreviewJob, outcome: PreviewOutcome): Promise<'applied' | 'stale'> {
    return this.service.settlePreview(job, outcome);
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
    return this.service.refreshPreview(userId, cardId);
  }

  async mayReadMedia(userId: string, hash: string): Promise<boolean> {
    return this.previews.mayReadMedia.get(userId, hash) === 1;
  }

  async mediaBytes(userId: string): Promise<number> {
    return this.previews.mediaBytes.get(userId) ?? 0;
  }

  async reapMediaGrants(before: number, now: number): Promise<number> {
    return this.db
      .transaction(() => {
        const stale = this.previews.staleGrants.all(before);
        if (stale.length === 0) return 0;
        const inUse = mediaReferences(this.previews.mediaInUse.all(before));
        let reaped = 0;
        for (const { user_id, hash } of stale) {
          if (inUse.has(mediaReferenceKey(user_id, hash))) this.previews.confirmGrant.run(now, user_id, hash);
          else reaped += this.previews.dropGrant.run(user_id, hash).changes;
        }
        return reaped;
      })
      .immediate();
  }

  async grantedMedia(hashes: string[]): Promise<Set<string>> {
    return new Set(hashes.filter((hash) => this.previews.isGranted.get(hash) === 1));
  }

  // — maintenance —

  /** One process owns the file: it always runs its jobs. */
  async claimMaintenance(): Promise<boolean> {
    return true;
  }

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
