/**
 * The store a server test runs on: SQLite in its temp dir, or, in the `unit-pg` project
 * (`BURROW_TEST_STORE=postgres`), PostgreSQL in a database of its own copied from the run's
 * template. The PostgreSQL store opens asynchronously; `startTestServer` stays synchronous, so
 * the store is handed out at once and each call waits for it to be open (no rules of its own).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { openPostgresStore, type PostgresStore } from '../storage/postgres-store.ts';
import { openSqliteStore } from '../storage/sqlite-store.ts';
import type { CommitNotice, Store } from '../storage/store.ts';
import { createTestDatabase, dropTestDatabase } from './pg-database.ts';

export type TestBackend = 'sqlite' | 'postgres';

/** The backend of this test run. */
export const TEST_BACKEND: TestBackend = process.env.BURROW_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export interface TestStoreOptions {
  now?: () => number;
  quotaBytes?: number;
  groupCommit?: boolean;
}

/** A Store whose calls wait for `opening`; commit listeners are attached once it is open. */
function whenOpen(opening: Promise<Store>, close: (store: Store) => Promise<void>): Store {
  const listeners = new Set<(notice: CommitNotice) => void>();
  opening.then(
    (store) =>
      store.onCommit((notice) => {
        for (const listener of listeners) listener(notice);
      }),
    () => undefined,
  );
  return new Proxy({} as Store, {
    get(_target, name) {
      if (name === 'kind') return 'postgres';
      if (name === 'then') return undefined;
      if (name === 'onCommit') {
        return (listener: (notice: CommitNotice) => void) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        };
      }
      if (name === 'close') return async () => close(await opening);
      return async (...args: unknown[]) => {
        const store = (await opening) as unknown as Record<string | symbol, (...a: unknown[]) => unknown>;
        return store[name](...args);
      };
    },
  });
}

/** The PostgreSQL store behind each store `openTestStore` handed out, for `queryTestStore`. */
const openings = new WeakMap<Store, Promise<PostgresStore>>();

/** Opens the test run's store with its data in `dir` (SQLite) or a new database (PostgreSQL). */
export function openTestStore(dir: string, options: TestStoreOptions = {}): Store {
  if (TEST_BACKEND === 'sqlite') return openSqliteStore(path.join(dir, 'burrow.sqlite'), options);
  const url = createTestDatabase();
  const opening = url.then((databaseUrl) => openPostgresStore(databaseUrl, { ...options, poolSize: 4 }));
  const store = whenOpen(opening, async (opened) => {
    await opened.close();
    await dropTestDatabase(await url);
  });
  openings.set(store, opening);
  return store;
}

/**
 * Rows of a read-only query on a test store's database, for tests that check what is stored:
 * `?` placeholders, SQL both SQLite and PostgreSQL understand (`octet_length`, `SUM`, …).
 */
export async function queryTestStore<Row>(
  store: Store,
  dir: string,
  text: string,
  ...params: unknown[]
): Promise<Row[]> {
  const opening = openings.get(store);
  if (opening) {
    let index = 0;
    const numbered = text.replace(/\?/g, () => `$${++index}`);
    return (await opening).sql.unsafe<Row[]>(numbered, params as never[]);
  }
  const db = new Database(path.join(dir, 'burrow.sqlite'), { readonly: true });
  try {
    return db.prepare(text).all(...params) as Row[];
  } finally {
    db.close();
  }
}
