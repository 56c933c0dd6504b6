/** Applying pulled pages (with their cursor, in one transaction) and the resync from cursor 0. */
import { unwrap } from 'idb';
import type { Envelope, PullResponse } from '../../protocol/index.ts';
import { readNumber, writeMeta } from './meta.ts';
import { readCounts } from './queries.ts';
import { keyRangeOf, recordKey } from './read-records.ts';
import { rebuildRecord, recordFromEnvelope, visiblyDiffers, withServerCopy } from './record-state.ts';
import { INDEXES, inWriteTransaction, issueAll, type LocalDatabase, STORES, type WriteTransaction } from './schema.ts';
import { syncedViews } from './synced-views.ts';
import type {
  LocalRecord,
  LocalStore,
  OutboxEntry,
  PullApplied,
  PullPageOptions,
  RecordRef,
  StoredConflict,
} from './types.ts';

/** The stored entries a record needs to be rebased. */
interface Entries {
  pending: OutboxEntry[];
  conflicts: StoredConflict[];
}

const NO_ENTRIES: Entries = { pending: [], conflicts: [] };

/**
 * Applies one pull page and stores its cursor (never backwards) in one transaction. Changes no
 * newer than the local server copy are skipped; pending edits are rebased on top of the rest.
 * Built for bulk: every read and every write of the page is issued without waiting for the one
 * before (a page of 1000 records costs three round trips, not 2000), and records known not to be
 * stored are not read at all (see `readRecords`).
 */
export function applyPullPage(
  db: LocalDatabase,
  page: PullResponse,
  { syncedAt, counts = false }: PullPageOptions = {},
): Promise<PullApplied> {
  return inWriteTransaction(db, async (tx) => {
    const [cursor, generation, current] = await Promise.all([
      readNumber(tx, 'cursor'),
      readNumber(tx, 'resyncGeneration'),
      readRecords(tx, page.changes),
    ]);
    const entries = await readEntries(tx, [...current.values()]);
    const changed: RecordRef[] = [];
    const writes = new Map<string, LocalRecord>();
    // Each record is written as soon as it is built, so the store works through the page while
    // the rest is built; written without a listener each, as `refreshRecords` does: the
    // transaction fails as a whole if one fails, and idb's promise per request was about a
    // quarter of the worker's work.
    const records = unwrap(tx.objectStore(STORES.records));
    let fromElsewhere = 0;
    for (const envelope of page.changes) {
      const key = recordKey(envelope.table, envelope.id);
      const before = writes.get(key) ?? current.get(key);
      const after = applyChange(before, envelope, generation, entries.get(key) ?? NO_ENTRIES);
      if (after === before) continue;
      writes.set(key, after);
      records.put(after);
      if (before?.server?.version === after.server?.version) continue; // only the generation stamp moved
      changed.push({ table: envelope.table, id: envelope.id });
      if (visiblyDiffers(before, after)) fromElsewhere++;
    }
    const nextCursor = Math.max(cursor, page.cursor);
    const written = [writeMeta(tx, 'cursor', nextCursor), writeMeta(tx, 'horizon', page.horizon)];
    if (syncedAt !== undefined) written.push(writeMeta(tx, 'lastSyncAt', syncedAt));
    // Issued last, so they are read after the writes.
    const counting = counts ? readCounts(tx) : null;
    const [read] = await Promise.all([counting, ...written]);
    const views = syncedViews([...writes].map(([key, record]) => [current.get(key), record]));
    return { changed, views, fromElsewhere, cursor: nextCursor, counts: read };
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

/**
 * The stored records of a page's changes. Every IndexedDB request costs about the same however
 * little it returns, and most pulled records (all of an initial sync's) are not stored yet: so
 * the keys stored between the page's lowest and highest key are listed first, in one request,
 * and only the records among them are read. When that key range is crowded with other records
 * (changes scattered over a full store), every record is read instead.
 */
async function readRecords(tx: WriteTransaction, changes: Envelope[]): Promise<Map<string, LocalRecord>> {
  const records = tx.objectStore(STORES.records);
  const stored = await storedKeysAmong(tx, changes);
  const wanted = stored ? changes.filter((change) => stored.has(recordKey(change.table, change.id))) : changes;
  const found = await issueAll(wanted, (change) => records.get([change.table, change.id]));
  const byKey = new Map<string, LocalRecord>();
  for (const record of found) if (record) byKey.set(recordKey(record.table, record.id), record);
  return byKey;
}

/** How many stored keys per change the range listing may return before it gives up. */
const KEYS_PER_CHANGE = 4;

/** The stored record keys within the changes' key range; null when there are too many to list. */
async function storedKeysAmong(tx: WriteTransaction, changes: Envelope[]): Promise<Set<string> | null> {
  if (changes.length === 0) return new Set();
  const limit = changes.length * KEYS_PER_CHANGE;
  const inRange = await tx.objectStore(STORES.records).getAllKeys(keyRangeOf(changes), limit);
  if (inRange.length >= limit) return null;
  return new Set(inRange.map(([table, id]) => recordKey(table, id)));
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
