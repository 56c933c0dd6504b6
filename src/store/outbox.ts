/** The outbox as the drain sees it: batches with wire seqs, sent stamps, failures, seq alignment. */
import { type Mutation, newId, type Problem } from '../../protocol/index.ts';
import { readNumber, writeMeta } from './meta.ts';
import { lastOutboxKey } from './outbox-keys.ts';
import { RecordRefSet, refreshRecord } from './record-state.ts';
import { inWriteTransaction, type LocalDatabase, STORES, type WriteTransaction } from './schema.ts';
import type { BatchLimits, FailedEntry, OutboxBatch, OutboxEntry, RecordRef } from './types.ts';

const encoder = new TextEncoder();

/** The wire form of an entry: its seq is its key less the seq base. */
export function toMutation(entry: OutboxEntry, seqBase: number): Mutation {
  return {
    seq: entry.key - seqBase,
    id: entry.id,
    table: entry.table,
    op: entry.op,
    recordId: entry.recordId,
    workspaceId: entry.workspaceId,
    baseVersion: entry.baseVersion,
    ...(entry.fields ? { fields: entry.fields } : {}),
    clientTime: entry.clientTime,
  };
}

/**
 * The oldest entries, at most `maxCount` and at most `maxBytes` of JSON (the mutations array as
 * sent), but always at least one when the outbox is not empty; null when it is.
 * In the same transaction the `sentThrough` watermark moves past them: from then on no commit
 * merges into them. Were that a separate step, a commit in between could merge new fields into
 * an entry whose older copy is then sent and acknowledged, and those fields would be lost.
 */
export function nextBatch(
  db: LocalDatabase,
  maxCount: number,
  maxBytes: number,
  afterKey?: number,
): Promise<OutboxBatch | null> {
  return inWriteTransaction(db, (tx) => takeBatch(tx, { maxCount, maxBytes }, afterKey));
}

/** `nextBatch` inside `tx`. */
async function takeBatch(
  tx: WriteTransaction,
  { maxCount, maxBytes }: BatchLimits,
  afterKey?: number,
): Promise<OutboxBatch | null> {
  const range = afterKey === undefined ? undefined : IDBKeyRange.lowerBound(afterKey, true);
  const meta = tx.objectStore(STORES.meta);
  const [seqBase, sentThrough, clientId, oldest] = await Promise.all([
    readNumber(tx, 'seqBase'),
    readNumber(tx, 'sentThrough'),
    meta.get('clientId') as Promise<string>,
    tx.objectStore(STORES.outbox).getAll(range, maxCount),
  ]);
  const entries: OutboxEntry[] = [];
  const mutations: Mutation[] = [];
  let bytes = 2; // the array's brackets
  for (const entry of oldest) {
    const mutation = toMutation(entry, seqBase);
    const size = encoder.encode(JSON.stringify(mutation)).byteLength + (entries.length > 0 ? 1 : 0);
    if (entries.length > 0 && bytes + size > maxBytes) break;
    entries.push(entry);
    mutations.push(mutation);
    bytes += size;
  }
  if (entries.length === 0) return null;
  const last = entries[entries.length - 1].key;
  if (last > sentThrough) await writeMeta(tx, 'sentThrough', last);
  // Fewer than asked for, all of them within the byte limit: that was the whole outbox.
  const more = oldest.length === maxCount || entries.length < oldest.length;
  return { clientId, entries, mutations, more };
}

/** Counts a transient failure on one entry (the batch's first). */
export async function recordTransientFailure(
  db: LocalDatabase,
  key: number,
  error: string,
  nextAttemptAt: number,
): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    const outbox = tx.objectStore(STORES.outbox);
    const entry = await outbox.get(key);
    if (entry) await outbox.put({ ...entry, attempts: entry.attempts + 1, lastError: error, nextAttemptAt });
  });
}

/** After 409 seq-gap: shifts the seq base so the oldest pending entry goes out as `expectedSeq`. */
export async function alignSeq(db: LocalDatabase, expectedSeq: number): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    const oldest = await tx.objectStore(STORES.outbox).openCursor();
    if (oldest) await writeMeta(tx, 'seqBase', oldest.value.key - expectedSeq);
  });
}

/** After 403 client-forbidden: a new clientId, with the pending entries renumbered from seq 1. */
export async function renewClientId(db: LocalDatabase): Promise<string> {
  return inWriteTransaction(db, async (tx) => {
    const clientId = newId();
    await writeMeta(tx, 'clientId', clientId);
    await startSeqsAtOne(tx);
    return clientId;
  });
}

/**
 * Sets the seq base so the oldest entry (or, with none, the next one committed) goes out as
 * seq 1: what a clientId the server has never seen must start with.
 */
export async function startSeqsAtOne(tx: WriteTransaction): Promise<void> {
  const outbox = tx.objectStore(STORES.outbox);
  const oldest = await outbox.openCursor();
  if (oldest) {
    await writeMeta(tx, 'seqBase', oldest.value.key - 1);
    return;
  }
  await writeMeta(tx, 'seqBase', await lastOutboxKey(tx));
}

/** A single entry the server can never take: moves to `failed`; its record reverts. */
export async function failEntry(db: LocalDatabase, key: number, error: Problem): Promise<RecordRef[]> {
  return inWriteTransaction(db, async (tx) => {
    const entry = await tx.objectStore(STORES.outbox).get(key);
    if (!entry) return [];
    await moveToFailed(tx, entry, error);
    const refs = new RecordRefSet();
    refs.add(entry.table, entry.recordId);
    await refreshRecord(tx, entry.table, entry.recordId);
    return refs.toArray();
  });
}

/** Removes the entry from the outbox and keeps it, with every field, as a failure. */
export async function moveToFailed(tx: WriteTransaction, entry: OutboxEntry, error: Problem): Promise<void> {
  await tx.objectStore(STORES.outbox).delete(entry.key);
  await tx.objectStore(STORES.failed).put(failedEntry(entry, error));
}

/** A mutation the server refused, as kept in `failed` with every field. */
export function failedEntry(entry: OutboxEntry, error: Problem): FailedEntry {
  return {
    id: entry.id,
    table: entry.table,
    recordId: entry.recordId,
    workspaceId: entry.workspaceId,
    op: entry.op,
    ...(entry.fields ? { fields: entry.fields } : {}),
    error,
    at: new Date().toISOString(),
  };
}
