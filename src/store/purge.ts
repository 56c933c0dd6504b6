/**
 * Purge: "delete forever" committed like any change, so it reaches the server and every device.
 * What a purge needs to send depends on what of the record is still unsent.
 */
import { newId, type TableName } from '../../protocol/index.ts';
import { ValidationError } from './errors.ts';
import { readNumber, writeMeta } from './meta.ts';
import { addOutboxEntry, lastOutboxKey } from './outbox-keys.ts';
import { refreshRecord } from './record-state.ts';
import { INDEXES, issueAll, STORES, type WriteTransaction } from './schema.ts';
import type { LocalRecord, NewOutboxEntry, OutboxEntry } from './types.ts';

/**
 * Purges a record inside `tx`: a live one is deleted and purged in one change. Returns the record
 * as it now is (deleted, purged, without its fields), or undefined when there is none to purge.
 *
 * - A record the server never saw (its create never sent, nothing else in the outbox): its
 *   entries and the record go, and nothing at all is sent.
 * - Unsent entries of the record: each becomes the purge (in place, so the outbox's wire seqs
 *   keep no gap); a purge of an id the server never stored is a no-op there, so content never
 *   sent is never sent.
 * - Otherwise a purge entry is appended.
 */
export async function commitPurge(
  tx: WriteTransaction,
  table: TableName,
  id: string,
  now: string,
): Promise<LocalRecord | undefined> {
  if (table === 'workspaces') {
    // The server refuses it too: a workspace holds the ownership of all in it, and is only deleted.
    throw new ValidationError([{ pointer: '/op', detail: 'cannot purge a workspace: delete it instead' }]);
  }
  const outbox = tx.objectStore(STORES.outbox);
  const [record, entries, conflicts, sentThrough, outboxSize] = await Promise.all([
    tx.objectStore(STORES.records).get([table, id]),
    outbox.index(INDEXES.byRecord).getAll([table, id]),
    tx.objectStore(STORES.conflicts).index(INDEXES.byRecord).getAllKeys([table, id]),
    readNumber(tx, 'sentThrough'),
    outbox.count(),
  ]);
  if (!record || record.purged) return undefined;
  const unsent = entries.filter((entry) => entry.key > sentThrough);
  if (neverSeenByServer(record, entries, unsent) && unsent.length === outboxSize) {
    await dropUnsentOutbox(tx, unsent);
    await tx.objectStore(STORES.records).delete([table, id]);
    return { ...record, fields: {}, deleted: true, purged: true, pending: 0, localUpdatedAt: now };
  }
  // Nothing is left to settle about a record deleted for good.
  await issueAll(conflicts, (key) => tx.objectStore(STORES.conflicts).delete(key));
  if (unsent.length > 0) {
    await issueAll(unsent, (entry) => outbox.put(asPurge(entry, now)));
  } else {
    await addOutboxEntry(tx, purgeEntry(record, now));
  }
  // Visible: the server copy with the pending purge on top, deleted, purged and empty.
  return refreshRecord(tx, table, id);
}

/** No server copy, no conflict, and none of its entries ever handed to the drain. */
function neverSeenByServer(record: LocalRecord, entries: OutboxEntry[], unsent: OutboxEntry[]): boolean {
  return record.server === null && record.conflicts === 0 && unsent.length > 0 && unsent.length === entries.length;
}

/** An unsent entry turned into the purge: no fields, so nothing of the record is sent. */
function asPurge(entry: OutboxEntry, now: string): OutboxEntry {
  const { fields: _fields, ...rest } = entry;
  return { ...rest, op: 'purge', clientTime: now };
}

function purgeEntry(record: Pick<LocalRecord, 'table' | 'id' | 'workspaceId' | 'server'>, now: string): NewOutboxEntry {
  return {
    id: newId(),
    table: record.table,
    op: 'purge',
    recordId: record.id,
    workspaceId: record.workspaceId,
    baseVersion: record.server?.version ?? 0,
    clientTime: now,
    attempts: 0,
  };
}

/**
 * Deletes `entries`, the whole outbox and all of it unsent, and moves the seq base so the next
 * entry goes out with the seq the first of them would have had: the server must see no gap.
 */
async function dropUnsentOutbox(tx: WriteTransaction, entries: OutboxEntry[]): Promise<void> {
  const seqBase = await readNumber(tx, 'seqBase');
  const firstSeq = Math.min(...entries.map((entry) => entry.key)) - seqBase;
  await issueAll(entries, (entry) => tx.objectStore(STORES.outbox).delete(entry.key));
  // The next key is the last one given + 1; it must go out as `firstSeq`.
  await writeMeta(tx, 'seqBase', (await lastOutboxKey(tx)) + 1 - firstSeq);
}
