/** The apply logic's record port over SQLite prepared statements, for one transaction. */
import type Database from 'better-sqlite3';
import type { TableName } from '../../../protocol/index.ts';
import { type PreviewQueue, previewJobFor } from '../../previews/preview-queue.ts';
import type { RecordAccess } from '../../sync/record-access.ts';
import { liveLinkUrl, type StoredRecord } from '../../sync/stored-record.ts';
import { RECORD_COLUMNS, type RecordRow, rowToRecord } from './record-rows.ts';

/** The statements the record port uses, prepared once per database. */
export function prepareRecordStatements(db: Database.Database) {
  return {
    owner: db.prepare<[string], { owner_id: string }>('SELECT owner_id FROM workspace_owners WHERE workspace_id = ?'),
    claim: db.prepare<[string, string]>('INSERT INTO workspace_owners(workspace_id, owner_id) VALUES (?, ?)'),
    get: db.prepare<[string, string], RecordRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE tbl = ? AND id = ?`),
    linkCard: db.prepare<[string, string], RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM records WHERE workspace_id = ? AND link_url = ? LIMIT 1`,
    ),
    insert: db.prepare(
      `INSERT INTO records(${RECORD_COLUMNS}, link_url) VALUES (@tbl, @id, @workspace_id, @owner_id, @version, @seq,
        @deleted, @created_at, @updated_at, @fields, @field_versions, @field_writers, @link_url)`,
    ),
    update: db.prepare(
      `UPDATE records SET version = @version, seq = @seq, deleted = @deleted, updated_at = @updated_at,
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

/** A RecordAccess for one transaction; `finish()` writes the global seq back. */
export class SqliteRecordAccess implements RecordAccess {
  private seq: number | null = null;
  private readonly startSeq: number;
  private readonly timestamp: string;
  /** Workspace owners read in this transaction (ownership never changes once claimed). */
  private readonly owners = new Map<string, string | undefined>();
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
    const row = this.statements.get.get(table, id);
    return row ? rowToRecord(row) : undefined;
  }

  findLiveLinkCard(workspaceId: string, url: string): StoredRecord | undefined {
    const row = this.statements.linkCard.get(workspaceId, url);
    return row ? rowToRecord(row) : undefined;
  }

  saveRecord(record: StoredRecord, isNew: boolean): void {
    const row = {
      tbl: record.table,
      id: record.id,
      workspace_id: record.workspaceId,
      owner_id: record.ownerId,
      version: record.version,
      seq: record.seq,
      deleted: record.deleted ? 1 : 0,
      created_at: record.createdAt,
      updated_at: record.updatedAt,
      fields: JSON.stringify(record.fields),
      field_versions: JSON.stringify(record.fieldVersions),
      field_writers: JSON.stringify(record.fieldWriters),
      link_url: liveLinkUrl(record),
    };
    if (isNew) this.statements.insert.run(row);
    else this.statements.update.run(row);
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
    return this.quotaBytes - (this.statements.storageBytes.get(userId)?.storage_bytes ?? 0);
  }

  /** The global seq after this transaction. */
  get cursor(): number {
    return this.seq ?? this.startSeq;
  }

  /** Persists the global seq; call last, inside the transaction. */
  finish(): void {
    if (this.seq !== null) this.statements.writeSeq.run(this.seq);
  }
}
