/** Read-only queries: records as the page sees them, the outbox, conflicts, failures and counts. */
import type { IDBPTransaction } from 'idb';
import type { TableName } from '../../protocol/index.ts';
import { readStoredRecords, recordKey } from './read-records.ts';
import { type LocalDatabase, type LocalSchema, type LocalStoreName, STORES } from './schema.ts';
import type {
  ConflictEntry,
  FailedEntry,
  LocalRecord,
  OutboxEntry,
  RecordRef,
  RecordView,
  StoreCounts,
  StoredConflict,
} from './types.ts';

/** After this many failed attempts an entry shows as "retrying". */
export const RETRYING_AFTER_ATTEMPTS = 3;

export function toRecordView(record: LocalRecord): RecordView {
  return {
    id: record.id,
    table: record.table,
    workspaceId: record.workspaceId,
    version: record.server?.version ?? 0,
    deleted: record.deleted,
    fields: record.fields,
    pending: record.pending > 0,
    conflict: record.conflicts > 0,
  };
}

/** One record (deleted ones too, so the Trash can show them); undefined when unknown or purged. */
export async function getRecord(db: LocalDatabase, table: TableName, id: string): Promise<RecordView | undefined> {
  const record = await db.get(STORES.records, [table, id]);
  return record && !record.purged ? toRecordView(record) : undefined;
}

/** Several records of a table in one transaction, in the order asked; undefined where unknown or purged. */
export async function getRecords(
  db: LocalDatabase,
  table: TableName,
  ids: string[],
): Promise<(RecordView | undefined)[]> {
  // Read as a run first: a sync's notices name records in a row (an initial sync's pages, by
  // the thousand), and one range request costs less than a request per record.
  const tx = db.transaction([STORES.records], 'readonly');
  const stored = await readStoredRecords(
    tx,
    [],
    ids.map((id) => ({ table, id })),
  );
  return ids.map((id) => {
    const record = stored.get(recordKey(table, id));
    return record && !record.purged ? toRecordView(record) : undefined;
  });
}

export interface ListOptions {
  workspaceId?: string;
  includeDeleted?: boolean;
}

/**
 * A table's records (of one workspace, when given), newest local change first; deleted ones only
 * when asked, purged never. The table's key range is read whole: for 100,000 records that was
 * faster than a workspace index (1.5-2.0 s against 1.9-2.8 s), which also cost every write.
 */
export async function listRecords(
  db: LocalDatabase,
  table: TableName,
  { workspaceId, includeDeleted }: ListOptions = {},
): Promise<RecordView[]> {
  const records = await db.getAll(STORES.records, IDBKeyRange.bound([table], [table, []]));
  return records
    .filter(
      (record) =>
        !record.purged &&
        (includeDeleted || !record.deleted) &&
        (workspaceId === undefined || record.workspaceId === workspaceId),
    )
    .sort(byNewestLocalChange)
    .map(toRecordView);
}

function byNewestLocalChange(a: LocalRecord, b: LocalRecord): number {
  if (a.localUpdatedAt !== b.localUpdatedAt) return a.localUpdatedAt < b.localUpdatedAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Every pending mutation, oldest first. */
export function pendingEntries(db: LocalDatabase): Promise<OutboxEntry[]> {
  return db.getAll(STORES.outbox);
}

/**
 * Every conflict, with the server's side as this device now has it: the record's server copy
 * (for `duplicate-url`, the existing card's) as `theirs`, and the values the answer left out
 * taken from it. That copy is what "Use theirs" leaves the record at.
 */
export async function conflictEntries(db: LocalDatabase): Promise<ConflictEntry[]> {
  const tx = db.transaction([STORES.conflicts, STORES.records], 'readonly');
  const stored = await tx.objectStore(STORES.conflicts).getAll();
  const refs = stored.map(theirRecord);
  const records = await readStoredRecords(tx, refs);
  return stored.map((conflict, index) =>
    withTheirs(conflict, records.get(recordKey(refs[index].table, refs[index].id))),
  );
}

/** The record whose server copy is the other side of a conflict. */
export function theirRecord(conflict: StoredConflict): RecordRef {
  if (conflict.code !== 'duplicate-url') return { table: conflict.table, id: conflict.recordId };
  // Conflicts stored before answers carried `existingId` kept the existing card as `theirs`.
  const legacy = (conflict as { theirs?: { id: string } | null }).theirs;
  return { table: conflict.table, id: conflict.existingId ?? legacy?.id ?? conflict.recordId };
}

function withTheirs(conflict: StoredConflict, record: LocalRecord | undefined): ConflictEntry {
  const server = record?.server ?? null;
  const theirs =
    record && server ? { table: record.table, id: record.id, workspaceId: record.workspaceId, ...server } : null;
  const conflicts = conflict.conflicts.map((field) =>
    field.omitted ? { ...field, server: server ? (server.fields[field.field] ?? null) : undefined } : field,
  );
  return { ...conflict, conflicts, theirs };
}

export function failedEntries(db: LocalDatabase): Promise<FailedEntry[]> {
  return db.getAll(STORES.failed);
}

/** How many of the oldest outbox entries `counts` reads for retry state. */
const HEAD_ENTRIES = 20;

/** The counts behind the status pill, with the cursor and last sync time, read in one transaction. */
export async function counts(db: LocalDatabase): Promise<StoreCounts> {
  const tx = db.transaction([STORES.outbox, STORES.failed, STORES.conflicts, STORES.meta], 'readonly');
  const read = await readCounts(tx);
  await tx.done;
  return read;
}

/** The stores `readCounts` reads. */
type CountedStores = typeof STORES.outbox | typeof STORES.failed | typeof STORES.conflicts | typeof STORES.meta;

/**
 * `counts` inside `tx`, in one round trip. Issued after a transaction's writes, it sees them: a
 * drain reads its status this way instead of in a transaction of its own.
 */
export async function readCounts(
  tx: IDBPTransaction<LocalSchema, CountedStores[] | LocalStoreName[], IDBTransactionMode>,
): Promise<StoreCounts> {
  const outbox = tx.objectStore(STORES.outbox);
  const meta = tx.objectStore(STORES.meta);
  // Only the oldest entries can carry attempts (the drain records a failure on its batch's
  // head, the oldest entry), so the head and a count say what a full read would, in O(1).
  const [pending, entries, failed, conflicts, cursor, lastSyncAt] = await Promise.all([
    outbox.count(),
    outbox.getAll(undefined, HEAD_ENTRIES),
    tx.objectStore(STORES.failed).count(),
    tx.objectStore(STORES.conflicts).count(),
    meta.get('cursor') as Promise<number | undefined>,
    meta.get('lastSyncAt') as Promise<string | undefined>,
  ]);
  const retrying = entries.filter((entry) => entry.attempts >= RETRYING_AFTER_ATTEMPTS);
  const nextAttemptAt = entries.reduce<number | null>(
    (soonest, { nextAttemptAt: at }) => (at === undefined || (soonest !== null && soonest <= at) ? soonest : at),
    null,
  );
  const lastFailure = entries.find((entry) => entry.lastError !== undefined);
  return {
    pending,
    retrying: retrying.length,
    failed,
    conflicts,
    nextAttemptAt,
    lastError: lastFailure?.lastError ?? null,
    cursor: cursor ?? 0,
    lastSyncAt: lastSyncAt ?? null,
  };
}
