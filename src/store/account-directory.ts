/**
 * The account directory as the engine and the client use it: whose database is active on this
 * browser, and opening it. The one seam between them and `accounts.ts`; tests hand in their own.
 */
import { type AccountUser, activateAccount, activeAccount, claimLocalData, localDatabaseName } from './accounts.ts';
import { openLocalStore } from './open-local-store.ts';
import { openSyncStore } from './open-sync-store.ts';
import type { LocalStore, SyncStore } from './types.ts';

export type { AccountUser };

/** What the sync engine needs: whose database to open, and opening it for the loops. */
export interface SyncDirectory {
  /** The signed-in user on this browser; null for anonymous use. */
  activeAccount(): Promise<AccountUser | null>;
  localDatabaseName(userId: string | null): string;
  openSyncStore(name: string): Promise<SyncStore>;
}

/** What the client needs besides: signing in and out, and the page's side of the store. */
export interface AccountDirectory extends SyncDirectory {
  activateAccount(user: AccountUser | null): Promise<void>;
  /**
   * Moves anonymous data into the user's database on their first sign-in here; its one
   * workspace becomes `accountWorkspaceId` (the account's default) when given.
   */
  claimLocalData(userId: string, accountWorkspaceId?: string): Promise<number>;
  openLocalStore(name: string): Promise<LocalStore>;
}

/** The active database: `signedIn` false is the anonymous one, which never syncs. */
export interface ActiveStore {
  store: SyncStore;
  signedIn: boolean;
}

/** Opens the active account's database (the anonymous one, which never syncs, when signed out). */
export async function openActiveStore(directory: SyncDirectory): Promise<ActiveStore> {
  const user = await directory.activeAccount();
  const store = await directory.openSyncStore(directory.localDatabaseName(user?.id ?? null));
  return { store, signedIn: user !== null };
}

/** The worker's directory: it opens only the sync store, so the page's side stays out of its bundle. */
export const syncDirectory: SyncDirectory = { activeAccount, localDatabaseName, openSyncStore };

/** The page's directory. */
export const accountDirectory: AccountDirectory = {
  activeAccount,
  activateAccount,
  claimLocalData,
  localDatabaseName,
  openLocalStore,
  // A page without a worker runs the loops on a store of its own; the whole one costs no bytes more.
  openSyncStore: openLocalStore,
};
