/** The synchronous port the apply logic reads and writes records through, inside one transaction. */
import type { RecordStamp, TableName } from '../../protocol/index.ts';
import type { StoredRecord } from './stored-record.ts';

/** A record's stamp and owner, read without its fields. */
export interface OwnedStamp extends RecordStamp {
  ownerId: string;
}

/**
 * Everything `applyMutation` needs from storage. Every call happens inside the one
 * transaction of the request, so reads see the writes made before them.
 */
export interface RecordAccess {
  /** The owner of a workspace, or undefined when no such workspace was ever created. */
  workspaceOwner(workspaceId: string): string | undefined;
  getRecord(table: TableName, id: string): StoredRecord | undefined;
  /** The record's version, seq, deletion and owner, without parsing its fields (any table name). */
  getStamp(table: string, id: string): OwnedStamp | undefined;
  /** A live link card of the workspace whose normalised URL is `url` (`liveLinkUrl`). */
  findLiveLinkCard(workspaceId: string, url: string): StoredRecord | undefined;
  /** Inserts (`isNew`) or replaces a record; its `seq` is already assigned. */
  saveRecord(record: StoredRecord, isNew: boolean): void;
  /**
   * Queues a preview fetch of a live link card just saved (created, or its URL changed), in
   * this transaction: a job replaces the card's earlier one.
   */
  enqueuePreview(record: StoredRecord): void;
  /** Makes `ownerId` the owner of a new workspace. */
  claimWorkspace(workspaceId: string, ownerId: string): void;
  /** The next global change seq. */
  nextSeq(): number;
  /** The server time of this transaction, ISO 8601 UTC. */
  now(): string;
  /** About how many bytes of stored records (their fields) this transaction has read and written. */
  readonly touchedBytes: number;
  /** Bytes of record fields `userId` may still add before the storage quota (Infinity: no quota). */
  storageRoom(userId: string): number;
}
