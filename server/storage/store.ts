/**
 * The narrow storage interface the routes use, implemented on SQLite (one process) and on
 * PostgreSQL (several). Its sync methods delegate to the sync service (`sync/sync-service.ts`),
 * which holds the rules; refusals that depend on stored state (seq-gap, cursor-expired,
 * email-taken, …) are thrown as `ProblemError`.
 */
import type { Envelope, PushRequest, TableName } from '../../protocol/index.ts';
import type { PreviewOutcome } from '../previews/preview-fill.ts';
import type { ClaimLimits } from '../previews/preview-policy.ts';
import type { PreviewJob } from '../previews/preview-queue.ts';
import type { JsonPieces } from './envelope-pages.ts';

export interface User {
  id: string;
  email: string;
}

/** What signup, login and `me` answer: the user and their live workspaces. */
export interface Account {
  user: User;
  workspaces: Envelope[];
}

export interface Credentials {
  user: User;
  passwordHash: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  createdAt: string;
  /** ISO 8601; null when the token never expires. */
  expiresAt: string | null;
}

/** Whom a bearer token authenticates, and which token it is (its streams end when it is revoked). */
export interface TokenOwner {
  user: User;
  tokenId: string;
  /** ms since epoch; null when it never expires. */
  expiresAt: number | null;
}

/** An Idempotency-Key and the fingerprint of the request it came with. */
export interface IdempotencyInput {
  key: string;
  fingerprint: string;
}

/** A write's response, ready to send: fresh, or the stored one replayed for a repeated key. */
export interface StoredResponse {
  status: number;
  /** JSON text of the body. */
  body: string;
  replayed: boolean;
}

/** A REST write, applied through the same path as a push mutation. */
export type RestWrite =
  | { op: 'create'; table: TableName; id: string; workspaceId: string; fields: Record<string, unknown> }
  | { op: 'update'; table: TableName; id: string; fields: Record<string, unknown>; ifMatch?: number }
  | { op: 'delete'; table: TableName; id: string; ifMatch?: number }
  /** `DELETE …?purge=1`: deleted for good (see the push op `purge`). */
  | { op: 'purge'; table: TableName; id: string; ifMatch?: number };

export interface ListQuery {
  workspaceId?: string;
  cursor: number;
  limit: number;
  includeDeleted: boolean;
}

/** Sent after every commit that changed records: who may read the changes, and the new cursor. */
export interface CommitNotice {
  userIds: string[];
  cursor: number;
  /** Poke every stream (commits may have been missed: the commit listener reconnected). */
  everyone?: true;
}

/**
 * Which due preview jobs a runner takes: at most `limit`, oldest first, within `limits` counted
 * over every runner on the database (the jobs leased now, the hosts started within the gap),
 * read and taken in one transaction that no other claim interleaves with (`pickJobs`).
 */
export interface PreviewClaim {
  /** ms since epoch. */
  now: number;
  /** How long the runner holds each job it takes. */
  leaseMs: number;
  limit: number;
  limits: ClaimLimits;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  // — users, sessions, tokens —
  /** Creates a user with a default workspace named `workspaceName`; throws 409 `email-taken`. */
  createUser(input: { email: string; passwordHash: string; workspaceName: string }): Promise<Account>;
  findCredentials(email: string): Promise<Credentials | null>;
  account(userId: string): Promise<Account | null>;
  createSession(session: { idHash: string; userId: string; expiresAt: number }): Promise<void>;
  /** The user of a session that has not expired at `now`. */
  findSession(idHash: string, now: number): Promise<{ user: User; expiresAt: number } | null>;
  renewSession(idHash: string, expiresAt: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** `expiresAt`: ms since epoch, or null for a token that never expires. */
  createToken(token: {
    id: string;
    userId: string;
    name: string;
    tokenHash: string;
    expiresAt: number | null;
  }): Promise<TokenInfo>;
  /** The token with this hash, expired or not (the caller tells the two apart). */
  findToken(tokenHash: string): Promise<TokenOwner | null>;
  listTokens(userId: string): Promise<TokenInfo[]>;
  /** False when the user has no such token. */
  deleteToken(userId: string, tokenId: string): Promise<boolean>;

  // — sync —
  /**
   * Applies a push in one transaction: idempotency lookup, client binding, seq check, apply,
   * change stamping, non-applied outcomes kept for later duplicates, response storage. Throws 403 `client-forbidden`, 409 `seq-gap`,
   * 422 `idempotency-key-reused`.
   */
  push(userId: string, request: PushRequest, options?: { idempotency?: IdempotencyInput }): Promise<StoredResponse>;
  /**
   * JSON bytes of a PullResponse. Throws 410 `cursor-expired` (unless `knownHorizon`, the horizon
   * the client's paging began under, is the current one), 409 `cursor-ahead`.
   */
  pull(userId: string, cursor: number, limit: number, knownHorizon?: number): Promise<JsonPieces>;
  latestSeq(): Promise<number>;

  // — REST —
  /** JSON bytes of a RestList. */
  listRecords(userId: string, table: TableName, query: ListQuery): Promise<JsonPieces>;
  /** The record, or null when it does not exist or the user may not read it. */
  getRecord(userId: string, table: TableName, id: string): Promise<Envelope | null>;
  /** Applies a REST write (same path as push); throws problems for refusals. */
  writeRecord(userId: string, write: RestWrite, options?: { idempotency?: IdempotencyInput }): Promise<StoredResponse>;

  // — link previews (rules in server/previews/, the queue's SQL in the adapter) —
  /** Takes due jobs no runner holds, oldest first, skipping busy owners and hosts; each is leased. */
  claimPreviewJobs(claim: PreviewClaim): Promise<PreviewJob[]>;
  /** Writes a finished job's outcome to its card and removes the job, in one transaction (`settlePreview`). */
  settlePreview(job: PreviewJob, outcome: PreviewOutcome): Promise<'applied' | 'stale'>;
  /** Schedules a job's next attempt after a transient failure (its attempts counted, its lease dropped). */
  retryPreviewJob(job: PreviewJob, runAt: number, error: string): Promise<void>;
  /** Drops every lease: what a crashed process held runs again (one server process on this store). */
  releasePreviewLeases(): Promise<number>;
  /** When the next queued job is due (ms since epoch), or null when none is queued. */
  nextPreviewRunAt(): Promise<number | null>;
  /** A person's Refresh (`requestRefresh`); false when the card is not theirs or not a live link. */
  refreshPreview(userId: string, cardId: string): Promise<boolean>;
  /** Whether the user may read the stored image `hash` (it was fetched for one of their cards). */
  mayReadMedia(userId: string, hash: string): Promise<boolean>;
  /** The bytes of the stored images granted to the user (what their media quota counts). */
  mediaBytes(userId: string): Promise<number>;
  /**
   * Removes the grants made (or last found in use) before `before` (ms since epoch) of images
   * no card of their user refers to any more (as `image` or `favicon`, deleted cards included:
   * a restore brings them back), and dates those still in use `now`; returns how many went.
   */
  reapMediaGrants(before: number, now: number): Promise<number>;
  /** Which of `hashes` some user is still granted (their files must stay). */
  grantedMedia(hashes: string[]): Promise<Set<string>>;

  // — maintenance —
  /**
   * True when this process should run the periodic jobs now: their last run (by any process
   * sharing the database) was at least `intervalMs` before `now`. Claims the run when true.
   */
  claimMaintenance(now: number, intervalMs: number): Promise<boolean>;
  /** Hard-deletes tombstones last changed before `before` (ISO); returns how many. */
  purgeTombstones(before: string): Promise<number>;
  /** Forgets stored idempotent responses created before `before` (ms since epoch). */
  reapIdempotency(before: number): Promise<number>;
  /**
   * Forgets the kept first answers to non-applied push mutations (what a later `duplicate`
   * carries as `original`) recorded before `before` (ms since epoch); returns how many.
   */
  reapOutcomes(before: number): Promise<number>;
  /** Listens to commits (for server-sent events); returns the unsubscribe function. */
  onCommit(listener: (notice: CommitNotice) => void): () => void;
  close(): Promise<void>;
}
