/** The real account directory: `src/store/accounts.ts` and `openLocalStore`, behind the client's seam. */
import { activateAccount, activeAccount, claimLocalData, localDatabaseName } from '../store/accounts.ts';
import { openLocalStore } from '../store/open-local-store.ts';
import type { AccountDirectory } from './account-directory.ts';

export const storeDirectory: AccountDirectory = {
  activeAccount,
  activateAccount,
  claimLocalData,
  localDatabaseName,
  openLocalStore,
  // A page without a worker runs the loops on a store of its own; the whole one costs no bytes more.
  openSyncStore: openLocalStore,
};
