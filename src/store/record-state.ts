/** Keeping one stored record consistent inside a write transaction: server copy in, visible state out. */
import { unwrap } from 'idb';
import { type Envelope, isNeverStored, jsonEqual, type TableName } from '../../protocol/index.ts';
import { readStoredRecords, recordKey } from './read-records.ts';
import { rebase } from './rebase.ts';
import { INDEXES, issueAll, STORES, type WriteTransaction } from './schema.ts';
import type { LocalRecord, OutboxEntry, RecordRef, ServerCopy, StoredConflict } from './types.ts';

export function toServerCopy(envelope: Envelope): ServerCopy {
  const { version, seq, deleted, createdAt, updatedAt, fields } = envelope;
  const copy: ServerCopy = { version, seq, deleted, createdAt, updatedAt, fields };
  if (envelope.purged) copy.purged = true;
  return copy;
}

/** Conflict overlays apply in the order the mutations were made (ids are UUIDv7). */
export function inMutationOrder(conflicts: StoredConflict[]): StoredConflict[] {
  return [...conflicts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The record's visible state and counts recomputed from its server copy and its entries. */
export function rebuildRecord(record: LocalRecord, pending: OutboxEntry[], conflicts: StoredConflict[]): LocalRecord {
  const { purged, ...visible } = rebase(record.server, inMutationOrder(conflicts), pending);
  const rebuilt: LocalRecord = { ...record, ...visible, pending: pending.length, conflicts: conflicts.length };
  // Derived, never kept: a purge the server refused shows the record again, as the server has it.
  // (A record hidden on this device alone, before purges synced, comes back to the Trash at its
  // next rebuild, where Delete forever now deletes it everywhere.)
  if (purged) rebuilt.purged = true;
  else delete rebuilt.purged;
  return rebuilt;
}

/**
 * The record with `envelope` as its server copy, when that is at least as new as the one it has.
 * A tombstone the server never stored says it has no such record (for this user): the record
 * loses its server copy, so with nothing pending it goes away instead of lingering as version 0.
 */
export function withServerCopy(record: LocalRecord, envelope: Envelope, generation: number): LocalRecord {
  if (isNeverStored(envelope)) return record.server === null ? record : { ...record, server: null };
  if (!isNewerServerCopy(record, envelope)) return record;
  return { ...record, server: toServerCopy(envelope), workspaceId: envelope.workspaceId, seenGeneration: generation };
}

export function visiblyDiffers(before: LocalRecord | undefined, after: LocalRecord): boolean {
  return !before || before.deleted !== after.deleted || !jsonEqual(before.fields, after.fields);
}

/** A server record to take into a record, with the resync generation it is seen in. */
export interface IncomingCopy {
  envelope: Envelope;
  generation: number;
}

/** One record to bring up to date, with what the caller already knows of it. */
export interface Refresh {
  ref: RecordRef;
  /** A server copy to take when newer than the stored one. */
  incoming?: IncomingCopy;
  /**
   * How many of the record's outbox entries this transaction deleted, when it deleted them all
   * without adding a conflict: a record whose stored counts show nothing else left is rebuilt
   * without reading its entries. Unset: they are read.
   */
  removed?: number;
}

/**
 * Recomputes a record's visible state, pending and conflict counts from what is stored (taking
 * `incoming` as its server copy when newer). A record with no server copy, nothing pending and
 * no conflict no longer exists anywhere: it is deleted. Returns what is stored, if anything.
 */
export async function refreshRecord(
  tx: WriteTransaction,
  table: TableName,
  id: string,
  incoming?: IncomingCopy,
): Promise<LocalRecord | undefined> {
  const [refreshed] = await refreshRecords(tx, [{ ref: { table, id }, incoming }]);
  return refreshed;
}

/**
 * `refreshRecord` for many records at once. Each phase issues all its requests before awaiting
 * any: records (unless the caller read them already, as `stored`), then the entries of those that
 * may have some left, then the writes. IndexedDB requests are the cost here, so a push batch of
 * 500 acks costs about a thousand, not 2,500.
 */
export async function refreshRecords(
  tx: WriteTransaction,
  refreshes: Refresh[],
  stored?: Map<string, LocalRecord>,
): Promise<(LocalRecord | undefined)[]> {
  const byKey =
    stored ??
    (await readStoredRecords(
      tx,
      refreshes.map(({ ref }) => ref),
    ));
  const before = refreshes.map(({ ref }) => byKey.get(recordKey(ref.table, ref.id)));
  const entries = await issueAll(refreshes, (refresh, index) => readEntries(tx, refresh, before[index]));
  const next = refreshes.map((refresh, index) =>
    recomputed(before[index], entries[index].pending, entries[index].conflicts, refresh.incoming),
  );
  // Issued without a listener each: the transaction fails as a whole if one fails, and a drain's
  // ten thousand promises were work for the worker's thread that nothing waited for.
  const records = unwrap(tx.objectStore(STORES.records));
  for (const [index, { ref }] of refreshes.entries()) {
    const record = next[index];
    if (record) records.put(record);
    else if (before[index]) records.delete([ref.table, ref.id]);
  }
  return next;
}

const NOTHING_LEFT: { pending: OutboxEntry[]; conflicts: StoredConflict[] } = { pending: [], conflicts: [] };

async function readEntries(tx: WriteTransaction, { ref, removed }: Refresh, stored: LocalRecord | undefined) {
  const nothingLeft =
    removed !== undefined && stored !== undefined && stored.pending <= removed && stored.conflicts === 0;
  if (nothingLeft) return NOTHING_LEFT;
  const [pending, conflicts] = await Promise.all([
    tx.objectStore(STORES.outbox).index(INDEXES.byRecord).getAll([ref.table, ref.id]),
    tx.objectStore(STORES.conflicts).index(INDEXES.byRecord).getAll([ref.table, ref.id]),
  ]);
  return { pending, conflicts };
}

/** What a record becomes given its entries; undefined when it no longer exists anywhere. */
function recomputed(
  stored: LocalRecord | undefined,
  pending: OutboxEntry[],
  conflicts: StoredConflict[],
  incoming: IncomingCopy | undefined,
): LocalRecord | undefined {
  let record = stored ?? (incoming ? recordFromEnvelope(incoming.envelope) : undefined);
  if (!record) return undefined;
  if (incoming) record = withServerCopy(record, incoming.envelope, incoming.generation);
  if (record.server === null && pending.length === 0 && conflicts.length === 0) return undefined;
  return rebuildRecord(record, pending, conflicts);
}

/** A server record replaces the local copy only when it is at least as new. */
export function isNewerServerCopy(record: LocalRecord, server: Envelope): boolean {
  return record.server === null || server.version >= record.server.version;
}

/** A local record for a server record this store has never seen. */
export function recordFromEnvelope(envelope: Envelope): LocalRecord {
  return {
    table: envelope.table,
    id: envelope.id,
    workspaceId: envelope.workspaceId,
    server: null,
    fields: {},
    deleted: false,
    pending: 0,
    conflicts: 0,
    localUpdatedAt: envelope.updatedAt,
    localCreatedAt: envelope.createdAt,
  };
}

/** Record references without repeats, in first-seen order. */
export class RecordRefSet {
  readonly #refs = new Map<string, RecordRef>();

  add(table: TableName, id: string): void {
    this.#refs.set(recordKey(table, id), { table, id });
  }

  has(table: TableName, id: string): boolean {
    return this.#refs.has(recordKey(table, id));
  }

  toArray(): RecordRef[] {
    return [...this.#refs.values()];
  }
}
