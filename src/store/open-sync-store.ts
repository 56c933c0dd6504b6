/** Opens one account's local database as a `SyncStore`: what the drain and pull loops use (the service worker's view). */
import { newId } from '../../protocol/index.ts';
import { applyPullPage, beginResync, finishResync } from './apply-pull.ts';
import { applyPushResults } from './apply-push-results.ts';
import { getMeta } from './meta.ts';
import { alignSeq, failEntry, nextBatch, recordTransientFailure, renewClientId } from './outbox.ts';
import { counts } from './queries.ts';
import { inWriteTransaction, type LocalDatabase, openLocalDatabase, STORES } from './schema.ts';
import { readSyncStats, updateSyncStats } from './sync-stats-record.ts';
import type { SyncStore } from './types.ts';

/** Opens (creating on first use, with a new clientId and seq base 0) the local database `name`. */
export async function openSyncStore(name: string): Promise<SyncStore> {
  return syncStoreOver(await openIdentifiedDatabase(name), name);
}

/** Opens the database `name`, giving a new one its clientId and seq base. */
export async function openIdentifiedDatabase(name: string): Promise<LocalDatabase> {
  const db = await openLocalDatabase(name);
  await ensureIdentity(db);
  return db;
}

/** Gives a new database its clientId and seq base, in one transaction so two tabs agree. */
async function ensureIdentity(db: LocalDatabase): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    const meta = tx.objectStore(STORES.meta);
    if ((await meta.get('clientId')) === undefined) await meta.put(newId(), 'clientId');
    if ((await meta.get('seqBase')) === undefined) await meta.put(0, 'seqBase');
  });
}

export function syncStoreOver(db: LocalDatabase, name: string): SyncStore {
  return {
    name,
    close: () => db.close(),
    counts: () => counts(db),
    getMeta: (key) => getMeta(db, key),
    nextBatch: (maxCount, maxBytes, afterKey) => nextBatch(db, maxCount, maxBytes, afterKey),
    applyPushResults: (batch, response, options) => applyPushResults(db, batch, response, options),
    recordTransientFailure: (key, error, nextAttemptAt) => recordTransientFailure(db, key, error, nextAttemptAt),
    alignSeq: (expectedSeq) => alignSeq(db, expectedSeq),
    renewClientId: () => renewClientId(db),
    failEntry: (key, error) => failEntry(db, key, error),
    applyPullPage: (page, options) => applyPullPage(db, page, options),
    beginResync: () => beginResync(db),
    finishResync: () => finishResync(db),
    syncStats: () => readSyncStats(db),
    updateSyncStats: (update) => updateSyncStats(db, update),
  };
}
