/**
 * The PostgreSQL implementation of `Store`, for several Burrow processes on one database: the
 * sync rules through `SyncService` over `PgSyncStorage`, accounts and REST reads as plain
 * queries, commits of other processes heard through LISTEN/NOTIFY, maintenance claimed once
 * per interval and run under an advisory lock.
 */
import { randomUUID } from 'node:crypto';
import { type Envelope, LIMITS, type PushRequest, type TableName } from '../../protocol/index.ts';
import type { Logger } from '../logger.ts';
import type { PreviewOutcome } from '../previews/preview-fill.ts';
import type { PreviewJob } from '../previews/preview-queue.ts';
import { toEnvelope } from '../sync/stored-record.ts';
import { SyncService } from '../sync/sync-service.ts';
import { type JsonPieces, jsonAround, pageOf, workspacesOf } from './envelope-pages.ts';
import { LOCK_NAMESPACE, LOCKS } from './postgres/advisory-locks.ts';
import { type CommitFeed, listenForCommits } from './postgres/commit-feed.ts';
import { connect, type Sql } from './postgres/connect.ts';
import { COMMIT_CHANNEL, type CommitMessage } from './postgres/flush-writes.ts';
import { migrate } from './postgres/migrate.ts';
import { NotifyQueueWatch } from './postgres/notify-queue.ts';
import { withinPageBudget } from './postgres/page-query.ts';
import { PgSyncStorage } from './postgres/pg-sync-storage.ts';
import {
  claimJobs,
  grantedMedia,
  mayReadMedia,
  mediaBytes,
  nextRunAt,
  reapMediaGrants,
  releaseLeases,
  retryJob,
} from './postgres/preview-jobs.ts';
import {
  ENVELOPE_COLUMNS,
  envelopeBytes,
  type PgEnvelopeRow,
  type PgRecordRow,
  rowToRecord,
} from './postgres/record-rows.ts';
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

export interface PostgresStoreOptions {
  /** The clock (ms since epoch); tests move it to age tombstones and keys. */
  now?: () => number;
  /** Bytes of stored record fields per user (`BURROW_QUOTA_BYTES`); 0 or absent: no quota. */
  quotaBytes?: number;
  /** Pushes that arrive together share one transaction (default true; `BURROW_GROUP_COMMIT=0`). */
  groupCommit?: boolean;
  /** Connections in this process's pool (default 10), besides the one that listens. */
  poolSize?: number;
  /** `application_name` of the connections (tests find a process's connections by it). */
  applicationName?: string;
  /** Where the NOTIFY queue's warnings go (`notify-queue.ts`). */
  logger?: Logger;
  /** Reads the NOTIFY queue's use (tests stand in a full queue; default: the database's). */
  readNotifyQueueUsage?: () => Promise<number>;
}

/**
 * PostgreSQL text cannot hold U+0000. A name that has one (from a path or a body the routes
 * pass on unchecked) can name nothing stored: such lookups answer "none" without asking.
 */
function unstorable(...values: string[]): boolean {
  return values.some((value) => value.includes('\u0000'));
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly listeners = new Set<(notice: CommitNotice) => void>();
  private readonly service: SyncService;
  private readonly now: () => number;
  private feed: CommitFeed | null = null;
  /** The NOTIFY queue's watch: commits stop notifying while it is nearly full. */
  readonly notifyQueue: NotifyQueueWatch;

  constructor(
    readonly sql: Sql,
    options: PostgresStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    const origin = randomUUID();
    this.notifyQueue = this.watchNotifyQueue(origin, options);
    this.service = new SyncService(
      new PgSyncStorage(sql, {
        now: this.now,
        quotaBytes: options.quotaBytes ?? 0,
        groupCommit: options.groupCommit ?? true,
        origin,
        notifies: () => this.notifyQueue.notifies(),
        notify: (notice) => this.notify(notice),
      }),
    );
    this.feed = listenForCommits(
      sql,
      origin,
      (notice) => this.notify(notice),
      () => this.latestSeq(),
    );
  }

  private watchNotifyQueue(origin: string, options: PostgresStoreOptions): NotifyQueueWatch {
    const readUsage =
      options.readNotifyQueueUsage ??
      (async () => (await this.sql<{ usage: number }[]>`SELECT pg_notification_queue_usage() AS usage`)[0].usage);
    return new NotifyQueueWatch({
      readUsage,
      report: (level, usage) =>
        options.logger?.log(level === 'ok' ? 'info' : 'warn', 'notify queue', {
          level,
          usage,
          notifying: level !== 'paused',
        }),
      resumed: async () => {
        const message: CommitMessage = { origin, cursor: await this.latestSeq(), userIds: [], everyone: true };
        await this.sql`SELECT pg_notify(${COMMIT_CHANNEL}, ${JSON.stringify(message)})`;
      },
    });
  }

  /** Resolves once migrated and listening. */
  async ready(): Promise<void> {
    await this.feed?.ready;
  }

  private notify(notice: CommitNotice): void {
    for (const listener of this.listeners) listener(notice);
  }

  // — users, sessions, tokens —

  createUser(input: { email: string; passwordHash: string; workspaceName: string }): Promise<Account> {
    return this.service.createUser(input);
  }

  async findCredentials(email: string): Promise<Credentials | null> {
    if (unstorable(email)) return null;
    const [row] = await this.sql<{ id: string; email: string; password_hash: string }[]>`
      SELECT id, email, password_hash FROM users WHERE email = ${email}`;
    return row ? { user: { id: row.id, email: row.email }, passwordHash: row.password_hash } : null;
  }

  async account(userId: string): Promise<Account | null> {
    const [users, workspaces] = await Promise.all([
      this.sql<User[]>`SELECT id, email FROM users WHERE id = ${userId}`,
      this.sql
        .unsafe<PgEnvelopeRow[]>(
          withinPageBudget(
            `SELECT ${ENVELOPE_COLUMNS} FROM records WHERE owner_id = $1 AND tbl = 'workspaces' AND NOT deleted`,
            '$2',
          ),
          [userId, LIMITS.pageBytes] as never[],
          { prepare: true },
        )
        .values(),
    ]);
    if (users.length === 0) return null;
    const rows = workspaces as unknown as PgEnvelopeRow[];
    return {
      user: { id: users[0].id, email: users[0].email },
      workspaces: workspacesOf(rows, envelopeBytes),
    };
  }

  async createSession(session: { idHash: string; userId: string; expiresAt: number }): Promise<void> {
    await this.sql`INSERT INTO sessions(id_hash, user_id, created_at, expires_at)
      VALUES (${session.idHash}, ${session.userId}, ${this.now()}, ${session.expiresAt})`;
  }

  async findSession(idHash: string, now: number): Promise<{ user: User; expiresAt: number } | null> {
    if (unstorable(idHash)) return null;
    const [row] = await this.sql<{ id: string; email: string; expires_at: number }[]>`
      SELECT users.id, users.email, sessions.expires_at FROM sessions JOIN users ON users.id = sessions.user_id
        WHERE sessions.id_hash = ${idHash} AND sessions.expires_at > ${now}`;
    return row ? { user: { id: row.id, email: row.email }, expiresAt: row.expires_at } : null;
  }

  async renewSession(idHash: string, expiresAt: number): Promise<void> {
    await this.sql`UPDATE sessions SET expires_at = ${expiresAt} WHERE id_hash = ${idHash}`;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.sql`DELETE FROM sessions WHERE id_hash = ${idHash}`;
  }

  async createToken(token: {
    id: string;
    userId: string;
    name: string;
    tokenHash: string;
    expiresAt: number | null;
  }): Promise<TokenInfo> {
    const createdAt = new Date(this.now()).toISOString();
    await this.sql`INSERT INTO api_tokens(id, user_id, name, token_hash, created_at, expires_at)
      VALUES (${token.id}, ${token.userId}, ${token.name}, ${token.tokenHash}, ${createdAt}, ${token.expiresAt})`;
    return { id: token.id, name: token.name, createdAt, expiresAt: isoOrNull(token.expiresAt) };
  }

  async findToken(tokenHash: string): Promise<TokenOwner | null> {
    if (unstorable(tokenHash)) return null;
    const [row] = await this.sql<{ id: string; email: string; token_id: string; expires_at: number | null }[]>`
      SELECT users.id, users.email, api_tokens.id AS token_id, api_tokens.expires_at
        FROM api_tokens JOIN users ON users.id = api_tokens.user_id WHERE token_hash = ${tokenHash}`;
    return row ? { user: { id: row.id, email: row.email }, tokenId: row.token_id, expiresAt: row.expires_at } : null;
  }

  async listTokens(userId: string): Promise<TokenInfo[]> {
    const rows = await this.sql<{ id: string; name: string; created_at: string; expires_at: number | null }[]>`
      SELECT id, name, created_at, expires_at FROM api_tokens WHERE user_id = ${userId} ORDER BY created_at, id`;
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: row.created_at,
      expiresAt: isoOrNull(row.expires_at),
    }));
  }

  async deleteToken(userId: string, tokenId: string): Promise<boolean> {
    if (unstorable(tokenId)) return false;
    const result = await this.sql`DELETE FROM api_tokens WHERE user_id = ${userId} AND id = ${tokenId}`;
    return result.count > 0;
  }

  // — sync —

  push(userId: string, request: PushRequest, options?: { idempotency?: IdempotencyInput }): Promise<StoredResponse> {
    return this.service.push(userId, request, options?.idempotency);
  }

  pull(userId: string, cursor: number, limit: number, knownHorizon?: number): Promise<JsonPieces> {
    return this.service.pull(userId, cursor, limit, knownHorizon);
  }

  async latestSeq(): Promise<number> {
    const [row] = await this.sql<{ value: number }[]>`SELECT value FROM counters WHERE name = 'seq'`;
    return row.value;
  }

  // — REST —

  async listRecords(userId: string, table: TableName, query: ListQuery): Promise<JsonPieces> {
    const inner = `SELECT ${ENVELOPE_COLUMNS} FROM records WHERE owner_id = $1 AND tbl = $2 AND seq > $3
        AND ($4::text IS NULL OR workspace_id = $4) AND ($5::boolean OR NOT deleted) ORDER BY seq LIMIT $6`;
    const rows = (await this.sql
      .unsafe<PgEnvelopeRow[]>(
        withinPageBudget(inner, '$7'),
        [
          userId,
          table,
          query.cursor,
          query.workspaceId ?? null,
          query.includeDeleted,
          query.limit + 1,
          LIMITS.pageBytes,
        ] as never[],
        { prepare: true },
      )
      .values()) as unknown as PgEnvelopeRow[];
    const page = pageOf(rows, envelopeBytes, query.limit);
    return jsonAround('{"items":[', page, `],"cursor":${page.last ?? query.cursor},"hasMore":${page.hasMore}}`);
  }

  async getRecord(userId: string, table: TableName, id: string): Promise<Envelope | null> {
    if (unstorable(table, id)) return null;
    const [row] = await this.sql<PgRecordRow[]>`
      SELECT tbl, id, workspace_id, owner_id, version, seq, deleted, purged, created_at, updated_at, fields,
        field_versions, field_writers FROM records WHERE tbl = ${table} AND id = ${id}`;
    return row && row.owner_id === userId ? toEnvelope(rowToRecord(row)) : null;
  }

  writeRecord(userId: string, write: RestWrite, options?: { idempotency?: IdempotencyInput }): Promise<StoredResponse> {
    return this.service.writeRecord(userId, write, options?.idempotency);
  }

  // — link previews —

  claimPreviewJobs(claim: PreviewClaim): Promise<PreviewJob[]> {
    return claimJobs(this.sql, claim);
  }

  settlePreview(job: PreviewJob, outcome: PreviewOutcome): Promise<'applied' | 'stale'> {
    return this.service.settlePreview(job, outcome);
  }

  retryPreviewJob(job: PreviewJob, runAt: number, error: string): Promise<void> {
    return retryJob(this.sql, job, runAt, error);
  }

  /**
   * Drops every lease. Not called on PostgreSQL at start (`start-previews.ts`): the other
   * processes' runners may hold them; a crashed process's leases run out instead (2 minutes).
   */
  releasePreviewLeases(): Promise<number> {
    return releaseLeases(this.sql);
  }

  nextPreviewRunAt(): Promise<number | null> {
    return nextRunAt(this.sql);
  }

  async refreshPreview(userId: string, cardId: string): Promise<boolean> {
    if (unstorable(cardId)) return false;
    return this.service.refreshPreview(userId, cardId);
  }

  async mayReadMedia(userId: string, hash: string): Promise<boolean> {
    if (unstorable(hash)) return false;
    return mayReadMedia(this.sql, userId, hash);
  }

  mediaBytes(userId: string): Promise<number> {
    return mediaBytes(this.sql, userId);
  }

  reapMediaGrants(before: number, now: number): Promise<number> {
    return reapMediaGrants(this.sql, before, now);
  }

  grantedMedia(hashes: string[]): Promise<Set<string>> {
    return grantedMedia(this.sql, hashes);
  }

  // — maintenance —

  async claimMaintenance(now: number, intervalMs: number): Promise<boolean> {
    const claimed = await this.sql`UPDATE maintenance_runs SET ran_at = ${now}
      WHERE name = 'periodic' AND ran_at <= ${now - intervalMs}`;
    return claimed.count > 0;
  }

  /** Runs `job` in a transaction holding the maintenance lock: two runs never overlap. */
  private maintain(job: (tx: Sql) => Promise<number>): Promise<number> {
    return this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, ${LOCKS.maintenance}::int)`;
      return job(tx as unknown as Sql);
    });
  }

  purgeTombstones(before: string): Promise<number> {
    return this.maintain(async (tx) => {
      await tx`UPDATE users SET purge_horizon = GREATEST(users.purge_horizon, t.horizon)
        FROM (SELECT owner_id, max(seq) AS horizon FROM records WHERE deleted AND updated_at < ${before}
          GROUP BY owner_id) t
        WHERE users.id = t.owner_id`;
      return (await tx`DELETE FROM records WHERE deleted AND updated_at < ${before}`).count;
    });
  }

  reapIdempotency(before: number): Promise<number> {
    return this.maintain(async (tx) => {
      const reaped = (await tx`DELETE FROM idempotency WHERE created_at < ${before}`).count;
      const now = this.now();
      await tx`DELETE FROM sessions WHERE expires_at <= ${now}`;
      await tx`DELETE FROM rate_limits WHERE expire < ${now}`;
      await tx`DELETE FROM sign_in_gates WHERE expire < ${now}`;
      return reaped;
    });
  }

  reapOutcomes(before: number): Promise<number> {
    return this.maintain(async (tx) => (await tx`DELETE FROM push_outcomes WHERE created_at < ${before}`).count);
  }

  onCommit(listener: (notice: CommitNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.notifyQueue.stop();
    this.listeners.clear();
    const feed = this.feed;
    this.feed = null;
    await feed?.stop().catch(() => undefined);
    await this.sql.end({ timeout: 5 });
  }
}

/** Connects to `url`, runs the migrations (once, whichever process comes first) and listens for commits. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const sql = connect(url, { max: options.poolSize, applicationName: options.applicationName });
  try {
    await migrate(sql);
    const store = new PostgresStore(sql, options);
    await store.ready();
    store.notifyQueue.start();
    return store;
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
}
