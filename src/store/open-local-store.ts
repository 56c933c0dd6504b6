/** Opens one account's local database as a `LocalStore` (page and service worker alike). */
import { newId } from '../../protocol/index.ts';
import { applyPullPage, beginResync, finishResync } from './apply-pull.ts';
import { applyPushResults } from './apply-push-results.ts';
import { commit, purgeRecord } from './commit.ts';
import { getMeta } from './meta.ts';
import { alignSeq, failEntry, nextBatch, recordTransientFailure, renewClientId } from './outbox.ts';
import {
  conflictEntries,
  counts,
  failedEntries,
  getRecord,
  getRecords,
  listRecords,
  pendingEntries,
  toRecordView,
} from './queries.ts';
import { discardFailed, resolveConflict, retryFailed } from './resolve.ts';
import { inWriteTransaction, type LocalDatabase, openLocalDatabase, STORES } from './schema.ts';
import type { LocalStore } from './types.ts';

/** Opens (creating on first use, with a new clientId and seq base 0) the local database `name`. */
export async function openLocalStore(name: string): Promise<LocalStore> {
  const db = await openLocalDatabase(name);
  await ensureIdentity(db);
  return localStoreOver(db, name);
}

/** Gives a new database its clientId and seq base, in one transaction so two tabs agree. */
async function ensureIdentity(db: LocalDatabase): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    const meta = tx.objectStore(STORES.meta);
    if ((await meta.get('clientId')) === undefined) await meta.put(newId(), 'clientId');
    if ((await meta.get('seqBase')) === undefined) await meta.put(0, 'seqBase');
  });
}

function localStoreOver(db: LocalDatabase, name: string): LocalStore {
  return {
    name,
    close: () => db.close(),
    commit: async (change) => toRecordView(await commit(db, change)),
    get: (table, id) => getRecord(db, table, id),
    getMany: (table, ids) => getRecords(db, table, ids),
    list: (table, options) => listRecords(db, table, options),
    purge: (table, id) => purgeRecord(db, table, id),
    pendingEntries: () => pendingEntries(db),
    conflictEntries: () => conflictEntries(db),
    failedEntries: () => failedEntries(db),
    resolveConflict: (conflictId, resolution) => resolveConflict(db, conflictId, resolution),
    retryFailed: (failedId, fields) => retryFailed(db, failedId, fields),
    discardFailed: (failedId) => discardFailed(db, failedId),
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
  };
}
