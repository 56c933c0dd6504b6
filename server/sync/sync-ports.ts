/**
 * The small ports the sync service works through, one per kind of stored state: records,
 * outcomes, clients, idempotency, users, preview jobs, and the change feed. An adapter (SQLite, PostgreSQL)
 * implements them with its own SQL and nothing else: every rule lives in `sync-service.ts`.
 */
import type { PreviewQueue } from '../previews/preview-queue.ts';
import type { OutcomeLog } from './outcome-log.ts';
import type { RecordAccess } from './record-access.ts';

/** A client's binding: the user it belongs to and its last applied mutation seq. */
export interface ClientBinding {
  userId: string;
  lastSeq: number;
}

export interface ClientPort {
  find(clientId: string): ClientBinding | undefined;
  /** Binds a new client to `userId`, or moves a bound client's `lastSeq`. */
  save(clientId: string, userId: string, lastSeq: number): void;
}

/** A stored response to an Idempotency-Key, with the fingerprint of the request it answered. */
export interface IdempotentEntry {
  fingerprint: string;
  status: number;
  body: string;
}

export interface IdempotencyPort {
  find(userId: string, key: string): IdempotentEntry | undefined;
  save(userId: string, key: string, entry: IdempotentEntry): void;
}

export interface UserPort {
  emailTaken(email: string): boolean;
  insert(user: { id: string; email: string; passwordHash: string }): void;
}

/** Everything one write may touch, inside one transaction. Synchronous: see `WriteIntent`. */
export interface WritePorts {
  records: RecordAccess;
  outcomes: OutcomeLog;
  clients: ClientPort;
  idempotency: IdempotencyPort;
  users: UserPort;
  /** The link preview job queue and media grants (the same one the record port enqueues to). */
  previews: PreviewQueue;
  /** The global seq after the writes made so far. */
  cursor(): number;
}

/** A record a write names (a mutation, a REST write, a new workspace). */
export interface IntendedRecord {
  table: string;
  recordId: string;
  /** Absent for a REST update or delete: the record's own workspace. */
  workspaceId?: string;
  /** The client seq of a push mutation (its kept outcome may be read). */
  seq?: number;
  fields?: Record<string, unknown>;
}

/**
 * What a write will read, said before it runs. The ports are synchronous so the rules stay
 * plain, deterministic code; an adapter whose reads are round trips (PostgreSQL) loads all of
 * this in a few queries first, and SQLite, whose reads are function calls, ignores it.
 */
export interface WriteIntent {
  userId: string;
  clientId?: string;
  idempotencyKey?: string;
  /** A sign-up's email (is it taken?). */
  email?: string;
  records: IntendedRecord[];
}

/** A page of the change feed: the JSON bytes of each envelope (`storage/envelope-pages.ts`). */
export interface FeedPage {
  envelopes: Uint8Array[];
  bytes: number;
  /** The seq of the last change in the page; null when it is empty. */
  last: number | null;
  hasMore: boolean;
}

/** Read in one snapshot: the latest global seq, the user's purge horizon and the page after a cursor. */
export interface FeedSnapshot {
  latest: number;
  horizon: number;
  page: FeedPage;
}

/** What the sync service needs from a storage adapter. */
export interface SyncStorage {
  /**
   * Runs `work` in one write transaction (or a savepoint of a shared one: group commit),
   * committed before the promise resolves; an exception rolls back everything `work` did.
   */
  write<T>(intent: WriteIntent, work: (ports: WritePorts) => T): Promise<T>;
  /** The latest seq, the purge horizon and up to `limit` changes after `cursor`, in one snapshot. */
  readFeed(userId: string, cursor: number, limit: number): Promise<FeedSnapshot>;
}
