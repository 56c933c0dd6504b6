/** The account directory: who is signed in on this browser, whose local database to open, claiming. */
import { newId } from '../../protocol/index.ts';
import { startSeqsAtOne } from './outbox.ts';
import {
  ACCOUNT_STATE_STORE,
  ANONYMOUS_DB_NAME,
  inWriteTransaction,
  issueAll,
  type LocalDatabase,
  openAccountsDatabase,
  openLocalDatabase,
  STORES,
  userDatabaseName,
} from './schema.ts';
import type { ConflictEntry, FailedEntry, LocalRecord, OutboxEntry } from './types.ts';

/** The signed-in user, as the directory remembers them. */
export interface AccountUser {
  id: string;
  email: string;
}

/** The active account, or null when nobody is signed in (anonymous use). */
export async function activeAccount(): Promise<AccountUser | null> {
  const db = await openAccountsDatabase();
  try {
    return (await db.get(ACCOUNT_STATE_STORE, 'active')) ?? null;
  } finally {
    db.close();
  }
}

/** Makes `user` (null: anonymous) the active account. */
export async function activateAccount(user: AccountUser | null): Promise<void> {
  const db = await openAccountsDatabase();
  try {
    await db.put(ACCOUNT_STATE_STORE, user ? { id: user.id, email: user.email } : null, 'active');
  } finally {
    db.close();
  }
}

/** The name of the local database of an account (null: the anonymous one). */
export function localDatabaseName(userId: string | null): string {
  return userId === null ? ANONYMOUS_DB_NAME : userDatabaseName(userId);
}

/** Everything in a local database, read in one transaction. */
interface Snapshot {
  records: LocalRecord[];
  outbox: OutboxEntry[];
  conflicts: ConflictEntry[];
  failed: FailedEntry[];
  clientId: unknown;
  seqBase: unknown;
}

/**
 * On a user's first sign-in on this browser, moves whatever was written anonymously into the
 * user's database (same clientId, outbox keys and seq base: anonymous use never pushes) and
 * empties the anonymous one, which gets a fresh clientId. Returns how many records were claimed.
 * Call it before opening the user's store. A user's database is marked with its `owner` when
 * first claimed into, so a later sign-in claims nothing and another user's data never moves in.
 */
export async function claimLocalData(userId: string): Promise<number> {
  const anonymous = await openLocalDatabase(ANONYMOUS_DB_NAME);
  const user = await openLocalDatabase(userDatabaseName(userId));
  try {
    const snapshot = await readSnapshot(anonymous);
    const claimed = await moveInto(user, userId, snapshot);
    if (claimed) await removeClaimed(anonymous, snapshot);
    return claimed ? snapshot.records.length : 0;
  } finally {
    anonymous.close();
    user.close();
  }
}

async function readSnapshot(db: LocalDatabase): Promise<Snapshot> {
  const tx = db.transaction(Object.values(STORES), 'readonly');
  const [records, outbox, conflicts, failed, clientId, seqBase] = await Promise.all([
    tx.objectStore(STORES.records).getAll(),
    tx.objectStore(STORES.outbox).getAll(),
    tx.objectStore(STORES.conflicts).getAll(),
    tx.objectStore(STORES.failed).getAll(),
    tx.objectStore(STORES.meta).get('clientId'),
    tx.objectStore(STORES.meta).get('seqBase'),
  ]);
  await tx.done;
  return { records, outbox, conflicts, failed, clientId, seqBase };
}

/**
 * Writes the snapshot into the user's database if this is their first sign-in (no owner yet and
 * nothing stored); marks the owner either way. True when the snapshot was moved.
 */
function moveInto(user: LocalDatabase, userId: string, snapshot: Snapshot): Promise<boolean> {
  return inWriteTransaction(user, async (tx) => {
    const meta = tx.objectStore(STORES.meta);
    if ((await meta.get('owner')) !== undefined) return false;
    await meta.put(userId, 'owner');
    const [records, entries] = await Promise.all([
      tx.objectStore(STORES.records).count(),
      tx.objectStore(STORES.outbox).count(),
    ]);
    const nothingToClaim = snapshot.records.length === 0 && snapshot.outbox.length === 0;
    if (nothingToClaim || records > 0 || entries > 0) return false;
    await issueAll(snapshot.records, (record) => tx.objectStore(STORES.records).put(record));
    await issueAll(snapshot.outbox, (entry) => tx.objectStore(STORES.outbox).put(entry));
    await issueAll(snapshot.conflicts, (entry) => tx.objectStore(STORES.conflicts).put(entry));
    await issueAll(snapshot.failed, (entry) => tx.objectStore(STORES.failed).put(entry));
    if (snapshot.clientId !== undefined) await meta.put(snapshot.clientId, 'clientId');
    await meta.put(snapshot.seqBase ?? 0, 'seqBase');
    return true;
  });
}

/**
 * Deletes exactly what was moved (a write made meanwhile stays anonymous) and gives the anonymous
 * database a new clientId starting at seq 1: the old one now belongs to the user's database.
 */
function removeClaimed(anonymous: LocalDatabase, snapshot: Snapshot): Promise<void> {
  return inWriteTransaction(anonymous, async (tx) => {
    await issueAll(snapshot.records, (record) => tx.objectStore(STORES.records).delete([record.table, record.id]));
    await issueAll(snapshot.outbox, (entry) => tx.objectStore(STORES.outbox).delete(entry.key));
    await issueAll(snapshot.conflicts, (entry) => tx.objectStore(STORES.conflicts).delete(entry.id));
    await issueAll(snapshot.failed, (entry) => tx.objectStore(STORES.failed).delete(entry.id));
    await tx.objectStore(STORES.meta).put(newId(), 'clientId');
    await startSeqsAtOne(tx);
  });
}
