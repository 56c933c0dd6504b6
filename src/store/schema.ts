/** The IndexedDB schemas: the only module that knows database names, store names and versions. */
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, openDB, type StoreNames } from 'idb';
import type { FailedEntry, LocalRecord, MetaKey, OutboxEntry, StoredConflict } from './types.ts';

/** The local database of one account (records, outbox, conflicts, failures, sync state). */
export interface LocalSchema extends DBSchema {
  /**
   * No indexes: every index is written with every pulled, committed and acknowledged record. A
   * list reads its table's key range and keeps the workspace's records, sorting them in memory.
   */
  records: { key: [string, string]; value: LocalRecord };
  /**
   * Inline key `key`, given from meta's `newestKey` (outbox-keys.ts): the mutation's local seq
   * (wire seq = key − seqBase).
   */
  outbox: { key: number; value: OutboxEntry; indexes: { byRecord: [string, string] } };
  conflicts: { key: string; value: StoredConflict; indexes: { byRecord: [string, string] } };
  failed: { key: string; value: FailedEntry };
  meta: { key: MetaKey; value: unknown };
  /** The sync figures (see `src/sync/sync-stats.ts`), one value under `SYNC_STATS_KEY`. */
  syncStats: { key: string; value: unknown };
}

export type LocalDatabase = IDBPDatabase<LocalSchema>;
export type LocalStoreName = StoreNames<LocalSchema>;

export const STORES = {
  records: 'records',
  outbox: 'outbox',
  conflicts: 'conflicts',
  failed: 'failed',
  meta: 'meta',
} as const satisfies Record<string, LocalStoreName>;

/**
 * The figures' store: written after each sync in a transaction of its own scope, which no commit
 * shares (it is not in `STORES`), so keeping the figures never makes a commit wait.
 */
export const SYNC_STATS_STORE = 'syncStats' satisfies LocalStoreName;
export const SYNC_STATS_KEY = 'current';

const ALL_STORES: LocalStoreName[] = Object.values(STORES);

/** Index names, so no other module spells them. */
export const INDEXES = { byRecord: 'byRecord' } as const;

export const LOCAL_DB_VERSION = 5;

/** An upgrade step sees the database at an older version, so not as `LocalSchema` describes it. */
type UpgradingDatabase = IDBPDatabase<unknown>;
type UpgradeTransaction = IDBPTransaction<unknown, string[], 'versionchange'>;

/** Upgrade steps: `MIGRATIONS[n]` takes a database from version n to n + 1. */
const MIGRATIONS: ((db: UpgradingDatabase, tx: UpgradeTransaction) => void)[] = [
  (db) => {
    const records = db.createObjectStore('records', { keyPath: ['table', 'id'] });
    records.createIndex('byWorkspace', ['table', 'workspaceId']);
    const outbox = db.createObjectStore('outbox', { keyPath: 'key', autoIncrement: true });
    outbox.createIndex('byRecord', ['table', 'recordId']);
    const conflicts = db.createObjectStore('conflicts', { keyPath: 'id' });
    conflicts.createIndex('byRecord', ['table', 'recordId']);
    db.createObjectStore('failed', { keyPath: 'id' });
    db.createObjectStore('meta');
  },
  (_db, tx) => {
    // The meta `newestKey` starts at the newest stored entry (a failed write aborts the upgrade).
    tx.objectStore('outbox')
      .openCursor(null, 'prev')
      .then((newest) => newest && tx.objectStore('meta').put(newest.key, 'newestKey'))
      .catch(() => {});
  },
  (_db, tx) => {
    // Writing this index made an initial sync of 100,000 records about 4 s (30 %) slower.
    tx.objectStore('records').deleteIndex('byWorkspace');
  },
  (db) => {
    db.createObjectStore(SYNC_STATS_STORE);
  },
  (_db, tx) => {
    // Outbox keys are given from the meta's `newestKey` from now on (outbox-keys.ts): it starts at
    // the last key the store's generator gave, learnt by taking one and giving it back.
    const outbox = tx.objectStore('outbox');
    outbox
      .add({ id: 'probe', table: 'probe', recordId: 'probe' })
      .then(async (probe) => {
        await outbox.delete(probe);
        await tx.objectStore('meta').put(Number(probe) - 1, 'newestKey');
      })
      .catch(() => {});
  },
];

/** Opens (creating or upgrading step by step) a local database; tests may ask for an older version. */
export async function openLocalDatabase(name: string, version = LOCAL_DB_VERSION): Promise<LocalDatabase> {
  // Opened untyped, as the upgrade steps see it; at LOCAL_DB_VERSION it is what LocalSchema says.
  const db = await openDB(name, version, {
    upgrade(db, oldVersion, _newVersion, tx) {
      for (let step = oldVersion; step < version; step++) MIGRATIONS[step](db, tx);
    },
    blocking() {
      // A newer Burrow (another tab, or the updated worker) upgrades the schema: this older code
      // steps aside instead of stalling it. Its transactions under way finish first, and every
      // change was committed as it was made, so a tab loses nothing by reloading into the new code.
      db.close();
      reloadPage();
    },
  });
  return db as LocalDatabase;
}

/** Reloads a page into the new code; a worker has nothing to reload (the new worker replaces it). */
function reloadPage(): void {
  const scope = globalThis as { document?: unknown; location?: { reload?: () => void } };
  if (scope.document !== undefined) scope.location?.reload?.();
}

export type WriteTransaction = IDBPTransaction<LocalSchema, LocalStoreName[], 'readwrite'>;

/**
 * Runs `work` in one read-write transaction over every store and waits for it to commit.
 * If `work` throws, the transaction is aborted, so nothing it wrote survives. `work` may resolve
 * once its last writes are issued, without waiting for them: the transaction is then committed at
 * once, and a failed write fails the whole.
 */
export async function inWriteTransaction<T>(db: LocalDatabase, work: (tx: WriteTransaction) => Promise<T>): Promise<T> {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  try {
    const result = await work(tx);
    commitNow(tx);
    await tx.done;
    return result;
  } catch (error) {
    // The rejection of `done` after an abort is expected; the caller gets `error` instead.
    tx.done.catch(() => {});
    try {
      tx.abort();
    } catch {
      // Already aborted or finished.
    }
    throw error;
  }
}

/**
 * Asks IndexedDB to commit as soon as the issued requests are done, instead of after their
 * results have come back to this thread and it has had nothing more to say: one round trip less
 * per commit, which on a busy page (a person typing) is one wait less behind input and frames.
 */
function commitNow(tx: WriteTransaction): void {
  try {
    tx.commit();
  } catch {
    // No longer active (`work` awaited something else): it commits by itself.
  }
}

/** A write issued and not awaited: if it fails, the transaction aborts and its commit reports it. */
export function notAwaited(write: Promise<unknown>): void {
  write.catch(() => {});
}

/**
 * Issues one request per item without waiting for each (the fast way to write many records),
 * then waits for all. If issuing one throws, the ones already issued are still observed, so no
 * request rejects unhandled when the transaction aborts.
 */
export async function issueAll<T, R>(items: Iterable<T>, issue: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const requests: Promise<R>[] = [];
  try {
    for (const item of items) requests.push(issue(item, requests.length));
  } catch (error) {
    await Promise.allSettled(requests);
    throw error;
  }
  return Promise.all(requests);
}

/** The local database of the anonymous (signed-out) person. */
export const ANONYMOUS_DB_NAME = 'burrow-local';

/** The local database of a signed-in user. */
export function userDatabaseName(userId: string): string {
  return `burrow-user-${userId}`;
}

/** The account directory: which account is active on this browser. */
export interface AccountsSchema extends DBSchema {
  state: { key: 'active'; value: { id: string; email: string } | null };
}

export const ACCOUNTS_DB_NAME = 'burrow-accounts';
export const ACCOUNT_STATE_STORE = 'state';
const ACCOUNTS_DB_VERSION = 1;

export function openAccountsDatabase(): Promise<IDBPDatabase<AccountsSchema>> {
  return openDB<AccountsSchema>(ACCOUNTS_DB_NAME, ACCOUNTS_DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore(ACCOUNT_STATE_STORE);
    },
  });
}
