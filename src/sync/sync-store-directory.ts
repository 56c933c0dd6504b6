/** The real sync directory: the active account from `src/store/accounts.ts` and `openSyncStore` (all the worker opens). */
import { activeAccount, localDatabaseName } from '../store/accounts.ts';
import { openSyncStore } from '../store/open-sync-store.ts';
import type { SyncDirectory } from './account-directory.ts';

export const syncStoreDirectory: SyncDirectory = { activeAccount, localDatabaseName, openSyncStore };
