/** Opens one account's local database as a `LocalStore`: the sync store and the page's side of it. */
import { commit, commitAll, purgeRecord } from './commit.ts';
import { openIdentifiedDatabase, syncStoreOver } from './open-sync-store.ts';
import {
  conflictEntries,
  failedEntries,
  getRecord,
  getRecords,
  listRecords,
  pendingEntries,
  toRecordView,
} from './queries.ts';
import { discardFailed, resolveConflict, retryFailed } from './resolve.ts';
import type { LocalStore } from './types.ts';

/** Opens (creating on first use, with a new clientId and seq base 0) the local database `name`. */
export async function openLocalStore(name: string): Promise<LocalStore> {
  const db = await openIdentifiedDatabase(name);
  return {
    ...syncStoreOver(db, name),
    commit: async (change) => toRecordView(await commit(db, change)),
    commitAll: async (changes) => (await commitAll(db, changes)).map(toRecordView),
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
  };
}
