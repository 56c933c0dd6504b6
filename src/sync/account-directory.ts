/** The seam between the sync engine and the store's account directory: whose database is active. */
import type { LocalStore } from '../store/types.ts';
import type { ActiveStore } from './sync-engine.ts';

export interface AccountUser {
  id: string;
  email: string;
}

/** What `src/store/accounts.ts` and `openLocalStore` provide, as the engine and the client use it. */
export interface AccountDirectory {
  /** The signed-in user on this browser; null for anonymous use. */
  activeAccount(): Promise<AccountUser | null>;
  activateAccount(user: AccountUser | null): Promise<void>;
  /** Moves anonymous data into the user's database on their first sign-in here. */
  claimLocalData(userId: string): Promise<number>;
  localDatabaseName(userId: string | null): string;
  openLocalStore(name: string): Promise<LocalStore>;
}

/** Opens the active account's database (the anonymous one, which never syncs, when signed out). */
export async function openActiveStore(directory: AccountDirectory): Promise<ActiveStore> {
  const user = await directory.activeAccount();
  const store = await directory.openLocalStore(directory.localDatabaseName(user?.id ?? null));
  return { store, signedIn: user !== null };
}
