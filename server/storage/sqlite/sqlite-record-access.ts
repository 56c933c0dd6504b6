/** The apply logic's record port over SQLite prepared statements, for one transaction. */
import type Database from 'better-sqlite3';
import type { TableName } from '../../../protocol/index.ts';
import { type PreviewQueue, previewJobFor } from '../../previews/preview-queue.ts';
import { stampOf } from '../../sync/push-results.ts';
import { fieldsGrowth } from '../../sync/quota.ts';
import type { OwnedStamp, RecordAccess } from '../../sync/record-access.ts';
import { liveLinkUrl, type StoredRecord } from '../../sync/stored-record.ts';
import { RECORD_COLUMNS, type RecordRow, rowToRecord } from './record-rows.ts';

/** The statements the record port uses, prepared once per database. */
export function prepareRecordStatements(db: Database.Database) {
  return {
    owner: db.prepare<[string], { owner_id: string }>('SELECT owner_id FROM workspace_owners WHERE workspace_id = ?'),
    claim: db.prepare<[string, string]>('INSERT INTO workspace_owners(workspace_id, owner_id) VALUES (?, ?)'),
    get: db.prepare<[string, string], RecordRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE tbl = ? AND id = ?`),
    stamp: db.prepare<
      [string, string],
      { owner_id: string; version: number; seq: number; deleted: number; updated_at: string }
    >('SELECT owner_id, version, seq, deleted, updated_at FROM records WHERE tbl = ? AND id = ?'),
    linkCard: db.prepare<[string, string], RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM records WHERE workspace_id = ? AND link_url = ? LIMIT 1`,
    ),
    insert: db.prepare(
      `INSERT INTO records(${RECORD_COLUMNS}, link_url) VALUES (@tbl, @id, @workspace_id, @owner_id, @version, @seq,
        @deleted, @purged, @created_at, @updated_at, @fields, @field_versions, @field_writers, @link_url)`,
    ),
    update: db.prepare(
      `UPDATE records SET version = @version, seq = @seq, deleted = @deleted, purged = @purged, updated_at = @updated_at,
        fields = @fields, field_versions = @field_versions, field_writers = @field_writers, link_url = @link_url
        WHERE tbl = @tbl AND id = @id`,
    ),
    readSeq: db.prepare<[], { value: number }>("SELECT value FROM counters WHERE name = 'seq'"),
    writeSeq: db.prepare<[number]>("UPDATE counters SET value = ? WHERE name = 'seq'"),
    // Kept current by triggers on records (migration 003), so it is one row to read.
    storageBytes: db.prepare<[string], { storage_bytes: number }>('SELECT storage_bytes FROM users WHERE id = ?'),
  };
}

export type RecordStatements = ReturnType<typeof prepareRecordStatements>;

/** A record held for the transaction: as read or as last saved (null: known not to exist). */
interface Held {
  record: StoredRecord | null;
  /** About how many bytes it takes (its fields' JSON). */
  bytes: number;
  /** Changed here and not yet written; `isNew`: to be inserted. */
  unwritten?: { isNew: boolean };
}

/**
 * A RecordAccess for one transaction. Records read or saved are held until the end, so each is
 * parsed once and written once however many mutations touch it (a thousand updates of one 400 KB
 * note took 19.6 s, now 66 ms); `finish()` writes what changed and the global seq. Reads through
 * another path (`findLiveLinkCard`) write the changes first. What is held is bounded by what a
 * request may touch (`LIMITS.pushStoredBytes`, checked by the push).
 */
export class SqliteRecordAccess implements RecordAccess {
  private seq: number | null = null;
  private readonly startSeq: number;
  private readonly timestamp: string;
  /** Workspace owners read in this transaction (ownership never changes once claimed). */
  private readonly owners = new Map<string, string | undefined>();
  private readonly held = new Map<string, Held>();
  /**
   * By owner, how many bytes the changes held but not yet written add to their stored fields: the
   * triggers that keep `users.storage_bytes` run only when they are written.
   */
  private readonly unwrittenGrowth = new Map<string, number>();
  touchedBytes = 0;
  /** Owners of the records this transaction changed: who gets a poke. */
  readonly changedOwners = new Set<string>();

  constructor(
    private readonly statements: RecordStatements,
    now: number,
    /** The preview job queue, in the same transaction. */
    readonly previews: PreviewQueue,
    /** Bytes of stored fields per user; 0: no quota. */
    private readonly quotaBytes = 0,
  ) {
    this.startSeq = statements.readSeq.get()!.value;
    this.timestamp = new Date(now).toISOString();
  }

  workspaceOwner(workspaceId: string): string | undefined {
    if (!this.owners.has(workspaceId)) this.owners.set(workspaceId, this.statements.owner.get(workspaceId)?.owner_id);
    return this.owners.get(workspaceId);
  }

  getRecord(table: TableName, id: string): StoredRecord | undefined {
    const key = keyOf(table, id);
    const known = this.held.get(key);
    if (known) return known.record ?? undefined;
    const row = this.statements.get.get(table, id);
    const record = row ? rowToRecord(row) : null;
    const bytes = row ? row.fields.length : 0;
    this.touchedBytes += bytes;
    this.held.set(key, { record, bytes });
    return record ?? undefined;
  }

  getStamp(table: string, id: string): OwnedStamp | undefined {
    const known = this.held.get(keyOf(table, id));
    const row = known ? null : this.statements.stamp.get(table, id);
    if (known) return known.record ? { ...stampOf(known.record), ownerId: known.record.ownerId } : undefined;
    if (!row) return undefined;
    const { owner_id: ownerId, version, seq, deleted, updated_at: updatedAt } = row;
    return { ownerId, version, seq, deleted: deleted === 1, updatedAt };
  }

  findLiveLinkCard(workspaceId: string, url: string): StoredRecord | undefined {
    this.writeChanges();
    const row = this.statements.linkCard.get(workspaceId, url);
    this.touchedBytes += row ? row.fields.length : 0;
    return row ? rowToRecord(row) : undefined;
  }

  saveRecord(record: StoredRecord, isNew: boolean): void {
    const key = keyOf(record.table, record.id);
    const known = this.held.get(key);
    // A record inserted here and changed again is still to be inserted, once.
    const unwritten = { isNew: known?.unwritten?.isNew ?? isNew };
    const bytes = known?.record ? known.bytes : JSON.stringify(record.fields).length;
    // Written once at most, however often it changes here.
    if (!known?.unwritten) this.touchedBytes += bytes;
    if (this.quotaBytes > 0) {
      const growth = fieldsGrowth(known?.record && !isNew ? known.record.fields : null, record.fields);
      this.unwrittenGrowth.set(record.ownerId, (this.unwrittenGrowth.get(record.ownerId) ?? 0) + growth);
    }
    this.held.set(key, { record, bytes, unwritten });
    this.changedOwners.add(record.ownerId);
  }

  enqueuePreview(record: StoredRecord): void {
    const job = previewJobFor(record);
    if (job) this.previews.enqueue(job);
  }

  claimWorkspace(workspaceId: string, ownerId: string): void {
    this.statements.claim.run(workspaceId, ownerId);
    this.owners.set(workspaceId, ownerId);
  }

  nextSeq(): number {
    this.seq = (this.seq ?? this.startSeq) + 1;
    return this.seq;
  }

  now(): string {
    return this.timestamp;
  }

  storageRoom(userId: string): number {
    if (this.quotaBytes === 0) return Number.POSITIVE_INFINITY;
    const stored = this.statements.storageBytes.get(userId)?.storage_bytes ?? 0;
    return this.quotaBytes - stored - (this.unwrittenGrowth.get(userId) ?? 0);
  }

  /** The global seq after this transaction. */
  get cursor(): number {
    return this.seq ?? this.startSeq;
  }

  /** Writes the changed records and the global seq; call last, inside the transaction. */
  finish(): void {
    this.writeChanges();
    if (this.seq !== null) this.statements.writeSeq.run(this.seq);
  }

  /** Writes every record changed since the last write, in the order they were first changed. */
  private writeChanges(): void {
    for (const entry of this.held.values()) {
      if (!entry.unwritten || !entry.record) continue;
      const row = toRow(entry.record);
      if (entry.unwritten.isNew) this.statements.insert.run(row);
      else this.statements.update.run(row);
      entry.unwritten = undefined;
    }
    this.unwrittenGrowth.clear();
  }
}

function keyOf(table: string, id: string): string {
  return `${table}\u0000${id}`;
}

function toRow(record: StoredRecord) {
  return {
    tbl: record.table,
    id: record.id,
    workspace_id: record.workspaceId,
    owner_id: record.ownerId,
    version: record.version,
    seq: record.seq,
    deleted: record.deleted ? 1 : 0,
    purged: record.purged ? 1 : 0,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    fields: JSON.stringify(record.fields),
    field_versions: JSON.stringify(record.fieldVersions),
    field_writers: JSON.stringify(record.fieldWriters),
    link_url: liveLinkUrl(record),
  };
}
