/** The outbox as the drain sees it: batches with wire seqs, sent stamps, failures, seq alignment. */
import { type Mutation, newId, type Problem } from '../../protocol/index.ts';
import { readNumber, writeMeta } from './meta.ts';
import { RecordRefSet, refreshRecord } from './record-state.ts';
import { inWriteTransaction, issueAll, type LocalDatabase, STORES, type WriteTransaction } from './schema.ts';
import type { FailedEntry, NewOutboxEntry, OutboxBatch, OutboxEntry, RecordRef } from './types.ts';

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
 * The entries are stamped `sentAt` in the same transaction: were that left to `markSent`, a
 * commit in between could merge new fields into an entry whose older copy is then sent and
 * acknowledged, and those fields would never reach the server.
 */
export function nextBatch(db: LocalDatabase, maxCount: number, maxBytes: number): Promise<OutboxBatch | null> {
  const now = Date.now();
  return inWriteTransaction(db, async (tx) => {
    const seqBase = await readNumber(tx, 'seqBase');
    const clientId = (await tx.objectStore(STORES.meta).get('clientId')) as string;
    const entries: OutboxEntry[] = [];
    const mutations: Mutation[] = [];
    let bytes = 2; // the array's brackets
    let cursor = await tx.objectStore(STORES.outbox).openCursor();
    while (cursor && entries.length < maxCount) {
      const mutation = toMutation(cursor.value, seqBase);
      const size = encoder.encode(JSON.stringify(mutation)).byteLength + (entries.length > 0 ? 1 : 0);
      if (entries.length > 0 && bytes + size > maxBytes) break;
      const entry = cursor.value.sentAt === undefined ? { ...cursor.value, sentAt: now } : cursor.value;
      if (entry !== cursor.value) await cursor.update(entry);
      entries.push(entry);
      mutations.push(mutation);
      bytes += size;
      cursor = await cursor.continue();
    }
    return entries.length === 0 ? null : { clientId, entries, mutations };
  });
}

/** Stamps `sentAt` on entries never sent before (`nextBatch` already has); they are never merged into. */
export async function markSent(db: LocalDatabase, keys: number[]): Promise<void> {
  const now = Date.now();
  await inWriteTransaction(db, async (tx) => {
    const outbox = tx.objectStore(STORES.outbox);
    const entries = await issueAll(keys, (key) => outbox.get(key));
    const unsent = entries.filter((entry): entry is OutboxEntry => entry !== undefined && entry.sentAt === undefined);
    await issueAll(unsent, (entry) => outbox.put({ ...entry, sentAt: now }));
  });
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
  // The key generator never goes back, so learn its position: take a key and give the entry
  // back in the same transaction (nobody else can see it).
  const probe: NewOutboxEntry = {
    id: newId(),
    table: 'workspaces',
    op: 'update',
    recordId: newId(),
    workspaceId: newId(),
    baseVersion: 0,
    clientTime: new Date().toISOString(),
    attempts: 0,
  };
  const key = await outbox.add(probe as OutboxEntry);
  await outbox.delete(key);
  await writeMeta(tx, 'seqBase', key);
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
  const failed: FailedEntry = {
    id: entry.id,
    table: entry.table,
    recordId: entry.recordId,
    workspaceId: entry.workspaceId,
    op: entry.op,
    ...(entry.fields ? { fields: entry.fields } : {}),
    error,
    at: new Date().toISOString(),
  };
  await tx.objectStore(STORES.outbox).delete(entry.key);
  await tx.objectStore(STORES.failed).put(failed);
}
