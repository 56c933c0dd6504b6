/** The seam between the sync engine and the store's account directory: whose database is active. */
import type { AccountUser } from '../store/accounts.ts';
import type { LocalStore, SyncStore } from '../store/types.ts';
import type { ActiveStore } from './sync-engine.ts';

export type { AccountUser };

/** What the sync engine needs of `src/store/accounts.ts`: whose database to open, and opening it. */
export interface SyncDirectory {
  /** The signed-in user on this browser; null for anonymous use. */
  activeAccount(): Promise<AccountUser | null>;
  localDatabaseName(userId: string | null): string;
  openSyncStore(name: string): Promise<SyncStore>;
}

/** What the client needs besides: signing in and out, and the page's side of the store. */
export interface AccountDirectory extends SyncDirectory {
  activateAccount(user: AccountUser | null): Promise<void>;
  /** Moves anonymous data into the user's database on their first sign-in here. */
  claimLocalData(userId: string): Promise<number>;
  openLocalStore(name: string): Promise<LocalStore>;
}

/** Opens the active account's database (the anonymous one, which never syncs, when signed out). */
export async function openActiveStore(directory: SyncDirectory): Promise<ActiveStore> {
  const user = await directory.activeAccount();
  const store = await directory.openSyncStore(directory.localDatabaseName(user?.id ?? null));
  return { store, signedIn: user !== null };
}
