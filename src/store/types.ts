/** Types of the local store: records with their server copy, and the outbox's lifecycle. */
import type { ConflictCode, Envelope, FieldConflict, Op, Problem, TableName } from '../../protocol/index.ts';

/** The server's copy of a record, as last acknowledged or pulled. */
export interface ServerCopy {
  version: number;
  seq: number;
  deleted: boolean;
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
}

/** What the page asks `commit()` to do. */
export type Change =
  | { op: 'create'; table: TableName; id?: string; workspaceId: string; fields: Record<string, unknown> }
  | { op: 'update'; table: TableName; id: string; fields: Record<string, unknown> }
  | { op: 'delete'; table: TableName; id: string }
  | { op: 'restore'; table: TableName; id: string; fields?: Record<string, unknown> };

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
  /** Set (ms since epoch) in its own transaction before the entry is first sent; never unset. */
  sentAt?: number;
  attempts: number;
  lastError?: string;
  nextAttemptAt?: number;
}

/** An outbox entry once stored: `key` is the IndexedDB auto-increment key. */
export interface OutboxEntry extends NewOutboxEntry {
  key: number;
}

/** A mutation the server answered with `conflict`, kept until the person resolves it. */
export interface ConflictEntry {
  id: string;
  table: TableName;
  recordId: string;
  workspaceId: string;
  op: Op;
  code: ConflictCode;
  conflicts: FieldConflict[];
  /** The fields this client sent. */
  mine: Record<string, unknown>;
  /** The server's record when it answered (for `duplicate-url`, the existing card). */
  theirs: Envelope | null;
  at: string;
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
