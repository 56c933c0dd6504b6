/** Applying pulled pages (with their cursor, in one transaction) and the resync from cursor 0. */
import type { Envelope, PullResponse } from '../../protocol/index.ts';
import { readNumber, writeMeta } from './meta.ts';
import { rebuildRecord, recordFromEnvelope, visiblyDiffers, withServerCopy } from './record-state.ts';
import { INDEXES, inWriteTransaction, issueAll, type LocalDatabase, STORES, type WriteTransaction } from './schema.ts';
import type { ConflictEntry, LocalRecord, LocalStore, OutboxEntry, PullApplied, RecordRef } from './types.ts';

/** The stored entries a record needs to be rebased. */
interface Entries {
  pending: OutboxEntry[];
  conflicts: ConflictEntry[];
}

const NO_ENTRIES: Entries = { pending: [], conflicts: [] };

function recordKey(table: string, id: string): string {
  return `${table}\u0000${id}`;
}

/**
 * Applies one pull page and stores its cursor (never backwards) in one transaction. Changes no
 * newer than the local server copy are skipped; pending edits are rebased on top of the rest.
 * Built for bulk: every read and every write of the page is issued without waiting for the one
 * before (a page of 1000 records costs three round trips, not 2000).
 */
export function applyPullPage(db: LocalDatabase, page: PullResponse): Promise<PullApplied> {
  return inWriteTransaction(db, async (tx) => {
    const [cursor, generation] = await Promise.all([readNumber(tx, 'cursor'), readNumber(tx, 'resyncGeneration')]);
    const current = await readRecords(tx, page.changes);
    const entries = await readEntries(tx, [...current.values()]);
    const changed: RecordRef[] = [];
    const writes = new Map<string, LocalRecord>();
    let fromElsewhere = 0;
    for (const envelope of page.changes) {
      const key = recordKey(envelope.table, envelope.id);
      const before = writes.get(key) ?? current.get(key);
      const after = applyChange(before, envelope, generation, entries.get(key) ?? NO_ENTRIES);
      if (after === before) continue;
      writes.set(key, after);
      if (before?.server?.version === after.server?.version) continue; // only the generation stamp moved
      changed.push({ table: envelope.table, id: envelope.id });
      if (visiblyDiffers(before, after)) fromElsewhere++;
    }
    const records = tx.objectStore(STORES.records);
    const nextCursor = Math.max(cursor, page.cursor);
    await issueAll<LocalRecord | number, unknown>([...writes.values(), nextCursor], (item) =>
      typeof item === 'number' ? writeMeta(tx, 'cursor', item) : records.put(item),
    );
    return { changed, fromElsewhere, cursor: nextCursor };
  });
}

/**
 * The record after one pulled change: the change becomes the server copy when newer, and the
 * visible state is rebased. A change no newer is skipped, but still marks the record as seen.
 */
function applyChange(
  before: LocalRecord | undefined,
  envelope: Envelope,
  generation: number,
  entries: Entries,
): LocalRecord {
  const record = before ?? recordFromEnvelope(envelope);
  const withCopy = withServerCopy(record, envelope, generation);
  if (withCopy === record) {
    return record.seenGeneration === generation ? record : { ...record, seenGeneration: generation };
  }
  const rebuilt = rebuildRecord(withCopy, entries.pending, entries.conflicts);
  // Someone else's change is the newest visible change: sort it as such.
  if (visiblyDiffers(before, rebuilt)) rebuilt.localUpdatedAt = envelope.updatedAt;
  return rebuilt;
}

async function readRecords(tx: WriteTransaction, changes: Envelope[]): Promise<Map<string, LocalRecord>> {
  const records = tx.objectStore(STORES.records);
  const found = await issueAll(changes, (change) => records.get([change.table, change.id]));
  const byKey = new Map<string, LocalRecord>();
  for (const record of found) if (record) byKey.set(recordKey(record.table, record.id), record);
  return byKey;
}

/** Pending and conflict entries of the records that have any (most pulled records have none). */
async function readEntries(tx: WriteTransaction, records: LocalRecord[]): Promise<Map<string, Entries>> {
  const outbox = tx.objectStore(STORES.outbox).index(INDEXES.byRecord);
  const conflicts = tx.objectStore(STORES.conflicts).index(INDEXES.byRecord);
  const busy = records.filter((record) => record.pending > 0 || record.conflicts > 0);
  const loaded = await issueAll(busy, async (record): Promise<Entries> => {
    const [pending, conflictEntries] = await Promise.all([
      outbox.getAll([record.table, record.id]),
      conflicts.getAll([record.table, record.id]),
    ]);
    return { pending, conflicts: conflictEntries };
  });
  return new Map(busy.map((record, index) => [recordKey(record.table, record.id), loaded[index]]));
}

/** Before a resync from cursor 0 (after 410/409): cursor to 0 and a new snapshot generation. */
export async function beginResync(db: LocalDatabase): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    const generation = await readNumber(tx, 'resyncGeneration');
    await writeMeta(tx, 'cursor', 0);
    await writeMeta(tx, 'resyncGeneration', generation + 1);
  });
}

/**
 * After a resync's last page: removes the records the snapshot did not contain that have no
 * pending mutation and no unresolved conflict.
 */
export async function finishResync(db: LocalDatabase): Promise<RecordRef[]> {
  return inWriteTransaction(db, async (tx) => {
    const generation = await readNumber(tx, 'resyncGeneration');
    const removed: RecordRef[] = [];
    let cursor = await tx.objectStore(STORES.records).openCursor();
    while (cursor) {
      const record = cursor.value;
      const seen = (record.seenGeneration ?? 0) === generation;
      if (!seen && record.pending === 0 && record.conflicts === 0) {
        removed.push({ table: record.table, id: record.id });
        await cursor.delete();
      }
      cursor = await cursor.continue();
    }
    return removed;
  });
}

/**
 * Applies pulled pages in order, one transaction per page (the bulk path the pull loop and the
 * benchmark use). Returns how many changes the pages carried and the final cursor.
 */
export async function applyPullPages(
  store: Pick<LocalStore, 'applyPullPage'>,
  pages: Iterable<PullResponse>,
): Promise<{ changes: number; cursor: number }> {
  let changes = 0;
  let cursor = 0;
  for (const page of pages) {
    changes += page.changes.length;
    cursor = (await store.applyPullPage(page)).cursor;
  }
  return { changes, cursor };
}
