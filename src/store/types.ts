/** Types of the local store: records with their server copy, and the outbox's lifecycle. */
import type { ConflictCode, Envelope, Op, Problem, TableName } from '../../protocol/index.ts';

/** The server's copy of a record, as last acknowledged or pulled. */
export interface ServerCopy {
  version: number;
  seq: number;
  deleted: boolean;
  /** Deleted for good on the server: its fields are gone (`Envelope.purged`). */
  purged?: true;
  createdAt: string;
  updatedAt: string;
  fields: Record<string, unknown>;
}

/**
 * A record as stored locally. Visible state (`fields`, `deleted`) is always the server copy
 * plus the pending mutations of this record in seq order; a pull replaces `server` and
 * re-applies them (rebase), so it never overwrites a local edit.
 */
export interface LocalRecord {
  table: TableName;
  id: string;
  workspaceId: string;
  /** null until the server has acknowledged or sent the record. */
  server: ServerCopy | null;
  fields: Record<string, unknown>;
  deleted: boolean;
  /** Outbox entries of this record not yet acknowledged. */
  pending: number;
  /** Unresolved conflicts of this record. */
  conflicts: number;
  /** Local time of the last visible change (ISO), for sorting before the server has seen it. */
  localUpdatedAt: string;
  localCreatedAt: string;
  /**
   * Deleted for good (a pending purge, or the server copy's): hidden everywhere, its fields gone.
   * Cleared if the record comes back to life (a lww create, a conflict the person settles).
   */
  purged?: boolean;
  /** The resync generation in which the server last sent or acknowledged this record. */
  seenGeneration?: number;
}

/** What the page asks `commit()` to do. */
export type Change =
  | { op: 'create'; table: TableName; id?: string; workspaceId: string; fields: Record<string, unknown> }
  | { op: 'update'; table: TableName; id: string; fields: Record<string, unknown> }
  | { op: 'delete'; table: TableName; id: string }
  | { op: 'restore'; table: TableName; id: string; fields?: Record<string, unknown> }
  /** Delete forever: a live record is deleted and purged in one (see `commitPurge`). */
  | { op: 'purge'; table: TableName; id: string };

/** A mutation as committed, before the outbox has given it a key (its seq). */
export interface NewOutboxEntry {
  /** Mutation id (UUIDv7): also the key of its conflict or failure, if it gets one. */
  id: string;
  table: TableName;
  op: Op;
  recordId: string;
  workspaceId: string;
  baseVersion: number;
  fields?: Record<string, unknown>;
  clientTime: string;
  attempts: number;
  lastError?: string;
  nextAttemptAt?: number;
}

/** An outbox entry once stored: `key` is the IndexedDB auto-increment key. */
export interface OutboxEntry extends NewOutboxEntry {
  key: number;
}

/** One field of a `field-conflict`: what this client sent, and the server's value. */
export interface FieldConflict {
  field: string;
  client: unknown;
  /** `null` for an absent field; when `omitted`, read from the record's server copy (unknown until pulled). */
  server: unknown;
  /** The answer left the server's value out (too large for it): the record's server copy holds it. */
  omitted?: true;
}

/** A mutation the server answered with `conflict`, as stored until the person resolves it. */
export interface StoredConflict {
  id: string;
  table: TableName;
  recordId: string;
  workspaceId: string;
  op: Op;
  code: ConflictCode;
  conflicts: FieldConflict[];
  /** The fields this client sent. */
  mine: Record<string, unknown>;
  /** For `duplicate-url`: the card that has the URL. */
  existingId?: string;
  at: string;
}

/** A conflict as the page reads it: with the server's side as this device now has it. */
export interface ConflictEntry extends StoredConflict {
  /**
   * The server's copy of the record (for `duplicate-url`, of the existing card), or null while
   * this device has none; omitted field values are filled in from it.
   */
  theirs: Envelope | null;
}

/** A mutation the server rejected (or a single one too large to send), with the reason. */
export interface FailedEntry {
  id: string;
  table: TableName;
  recordId: string;
  workspaceId: string;
  op: Op;
  fields?: Record<string, unknown>;
  error: Problem;
  at: string;
}

/** The record shape the page and `window.burrow` hand out. */
export interface RecordView {
  id: string;
  table: TableName;
  workspaceId: string;
  version: number;
  deleted: boolean;
  fields: Record<string, unknown>;
  pending: boolean;
  conflict: boolean;
}

/** A batch of outbox entries ready to send, with their wire seqs (outbox key − seq base). */
export interface OutboxBatch {
  clientId: string;
  entries: OutboxEntry[];
  /** The push mutations, in key order; `mutations[i]` is `entries[i]` on the wire. */
  mutations: import('../../protocol/index.ts').Mutation[];
  /** Whether the outbox held more entries than these when they were read (a full batch). */
  more: boolean;
}

/** How big a batch may be: at most `maxCount` mutations and `maxBytes` of JSON (always at least one). */
export interface BatchLimits {
  maxCount: number;
  maxBytes: number;
}

/** What storing a push response did. */
export interface PushStored {
  /** Records whose local state the results changed. */
  changed: RecordRef[];
  /** Those of them the results raised to a newer server version, as now stored (see `syncedViews`). */
  views: RecordView[];
  /** The stored cursor afterwards: results that were every change since it moved it. */
  cursor: number;
  /** The counts once the results are stored, read in the same transaction; null: not asked. */
  counts: StoreCounts | null;
}

/** How a push response is stored, and what else is done with it. */
export interface PushResultsOptions {
  /** Read the counts afterwards: the status a drain ends on. */
  counts?: boolean;
  /** Apply the results in parts of this many entries, a transaction each (default: all in one). */
  perTransaction?: number;
  /** Awaited before each part's transaction (a gentle drain waits for a pause in the commits). */
  pause?: () => Promise<void>;
}

/** What else the transaction that applies a pull page does: for a pull's last page. */
export interface PullPageOptions {
  /** Store this as the last successful sync (ISO time). */
  syncedAt?: string;
  /** Read the counts afterwards: the status a pull ends on. */
  counts?: boolean;
}

/** Counts behind the status pill and the sync panel. */
export interface StoreCounts {
  pending: number;
  /** Entries with 3 or more failed attempts. */
  retrying: number;
  failed: number;
  conflicts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  /** The pull cursor and the last successful sync (ISO time), read with the counts. */
  cursor: number;
  lastSyncAt: string | null;
}

/** A record reference, as broadcast to tabs. */
export interface RecordRef {
  table: import('../../protocol/index.ts').TableName;
  id: string;
}

/**
 * What the drain and pull loops need of one account's local database, with the counts and sync
 * state the status is made of. The service worker opens only this (`openSyncStore`), so the
 * page's side (validation, commits, resolution) stays out of its bundle. Every method is one
 * IndexedDB transaction unless it says otherwise; none of them touch the network.
 */
export interface SyncStore {
  readonly name: string;
  close(): void;
  counts(): Promise<StoreCounts>;
  getMeta<T>(key: MetaKey): Promise<T | undefined>;

  // — the drain —
  /**
   * The oldest entries (≤ maxCount, ≤ maxBytes of JSON; always ≥ 1 when any) with wire seqs.
   * They count as sent from then on: no later commit merges into them. With `afterKey`, the
   * oldest entries after that key (the batch after one still in flight).
   */
  nextBatch(maxCount: number, maxBytes: number, afterKey?: number): Promise<OutboxBatch | null>;
  /**
   * Applies a 200 push response: acks delete entries, conflicts and rejections move out. Takes
   * the next batch and reads the counts in the same transaction when `options` asks.
   */
  applyPushResults(
    batch: OutboxBatch,
    response: import('../../protocol/index.ts').PushResponse,
    options?: PushResultsOptions,
  ): Promise<PushStored>;
  /** Counts a transient failure on the batch's first entry (attempts, lastError, nextAttemptAt). */
  recordTransientFailure(key: number, error: string, nextAttemptAt: number): Promise<void>;
  /** After 409 seq-gap: shifts the seq base so the oldest pending entry goes out as `expectedSeq`. */
  alignSeq(expectedSeq: number): Promise<void>;
  /** After 403 client-forbidden: a new clientId, pending entries renumbered from seq 1. */
  renewClientId(): Promise<string>;
  /** A single entry the server can never take (413 alone, 400/422 alone): moves to `failed`. */
  failEntry(key: number, error: import('../../protocol/index.ts').Problem): Promise<RecordRef[]>;

  // — the pull —
  /** Applies one page and stores its cursor, in one transaction; rebases pending edits. */
  applyPullPage(page: import('../../protocol/index.ts').PullResponse, options?: PullPageOptions): Promise<PullApplied>;
  /** Before a resync from 0 (410/409): cursor to 0 and a new snapshot generation. */
  beginResync(): Promise<void>;
  /** After a resync: removes records the snapshot lacked that have no pending change. */
  finishResync(): Promise<RecordRef[]>;

  // — the sync figures (their meaning is `src/sync/sync-stats.ts`'s) —
  syncStats(): Promise<unknown>;
  /** Replaces the figures with `update(stored)` in one transaction that no commit shares; resolves with them. */
  updateSyncStats(update: (stored: unknown) => unknown): Promise<unknown>;
}

/** How the person settles a conflict: their values, the server's, or a merge of the two. */
export type ConflictResolution = { keep: 'mine' } | { keep: 'theirs' } | { merged: Record<string, unknown> };

/** One account's local database as the page uses it: the sync store, and what the person does. */
export interface LocalStore extends SyncStore {
  commit(change: Change): Promise<RecordView>;
  /** Commits `changes` in one transaction, all or none. */
  commitAll(changes: Change[]): Promise<RecordView[]>;
  get(table: import('../../protocol/index.ts').TableName, id: string): Promise<RecordView | undefined>;
  getMany(table: import('../../protocol/index.ts').TableName, ids: string[]): Promise<(RecordView | undefined)[]>;
  list(
    table: import('../../protocol/index.ts').TableName,
    options?: { workspaceId?: string; includeDeleted?: boolean },
  ): Promise<RecordView[]>;
  /**
   * Deletes a record for good, here, on the server and on every device (a live one is deleted
   * too); nothing is sent for a record the server never saw. Unknown or purged: nothing happens.
   */
  purge(table: import('../../protocol/index.ts').TableName, id: string): Promise<void>;
  pendingEntries(): Promise<OutboxEntry[]>;
  conflictEntries(): Promise<ConflictEntry[]>;
  failedEntries(): Promise<FailedEntry[]>;
  /** keep mine: a new update (baseVersion = server's) with my values; theirs: drop my values. */
  resolveConflict(conflictId: string, resolution: ConflictResolution): Promise<RecordRef[]>;
  retryFailed(failedId: string, fields?: Record<string, unknown>): Promise<RecordRef[]>;
  discardFailed(failedId: string): Promise<RecordRef[]>;
}

export interface PullApplied {
  changed: RecordRef[];
  /** Those of them the page raised to a newer server version, as now stored (see `syncedViews`). */
  views: RecordView[];
  /** How many records changed because of someone else (not the ack of our own mutation). */
  fromElsewhere: number;
  /**
   * Those of them another device or client changed: a person's change, not the server filling a
   * link preview (which writes the server-owned `metadata`). What "N cards updated on another
   * device" counts.
   */
  fromOtherDevices: RecordRef[];
  cursor: number;
  /** The counts once the page is stored, read in the same transaction; null: not asked. */
  counts: StoreCounts | null;
}

export type MetaKey =
  | 'clientId'
  | 'seqBase'
  /** The newest outbox key ever handed to the drain: entries up to it are never merged into. */
  | 'sentThrough'
  /**
   * The last outbox key given (the next entry takes the one after), so at least every stored
   * key: a commit reads its merge target by key instead of by a cursor from the outbox's open
   * end, and gives the next key without asking the store (outbox-keys.ts).
   */
  | 'newestKey'
  | 'cursor'
  /** The purge horizon the last pulled page was read under, sent back with the next pull. */
  | 'horizon'
  | 'lastSyncAt'
  | 'owner'
  | 'resyncGeneration'
  /** In the anonymous database: the user a claim in progress moves its data to. */
  | 'claimingFor';
