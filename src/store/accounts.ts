/** The account directory: who is signed in on this browser, whose local database to open, claiming. */
import { newId, viewSettingsId } from '../../protocol/index.ts';
import { readNumber, writeMeta } from './meta.ts';
import { startSeqsAtOne } from './outbox.ts';
import { recordKey } from './read-records.ts';
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
  type WriteTransaction,
} from './schema.ts';
import type { FailedEntry, LocalRecord, OutboxEntry, StoredConflict } from './types.ts';

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
export interface Snapshot {
  records: LocalRecord[];
  outbox: OutboxEntry[];
  conflicts: StoredConflict[];
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
 *
 * A claim spans two databases, so it cannot be one transaction. The anonymous database records
 * the claim in progress (`claimingFor`) in the transaction that takes its snapshot; a claim cut
 * short (tab closed) is finished for its user first, the next time anyone signs in, so the
 * leftovers can never be claimed by someone else.
 */
export async function claimLocalData(userId: string, accountWorkspaceId?: string): Promise<number> {
  const anonymous = await openLocalDatabase(ANONYMOUS_DB_NAME);
  try {
    const interrupted = (await anonymous.get(STORES.meta, 'claimingFor')) as string | undefined;
    if (interrupted !== undefined && interrupted !== userId) await claimInto(anonymous, interrupted);
    return await claimInto(anonymous, userId, accountWorkspaceId);
  } finally {
    anonymous.close();
  }
}

async function claimInto(anonymous: LocalDatabase, userId: string, accountWorkspaceId?: string): Promise<number> {
  const user = await openLocalDatabase(userDatabaseName(userId));
  try {
    const snapshot = await beginClaim(anonymous, userId);
    const adopted = accountWorkspaceId ? await intoAccountWorkspace(snapshot, accountWorkspaceId) : snapshot;
    const moved = await moveInto(user, userId, adopted);
    // What the anonymous database held goes, the adopted workspace's record and create too.
    await endClaim(anonymous, moved ? snapshot : null);
    return moved ? snapshot.records.length : 0;
  } finally {
    user.close();
  }
}

/**
 * The snapshot with its one workspace replaced by the account's (`target`): every record and
 * change of it moves there, and the workspace's own record and create go, so signing up after
 * anonymous use leaves one workspace, with every card. Only in the case anonymous use makes: one
 * workspace, its create the first change in the outbox and the only change of a workspace (its
 * seq then goes to the next change: the seq base moves up by the keys it spanned). Anything else
 * is claimed as it is. Its `viewSettings` records take the name-based ids of their view keys in
 * the account's workspace (see `viewSettingsId`), so a device of the account that opens the
 * same view writes the same record.
 */
export async function intoAccountWorkspace(snapshot: Snapshot, target: string): Promise<Snapshot> {
  const workspaces = snapshot.records.filter((record) => record.table === 'workspaces');
  const workspaceChanges = snapshot.outbox.filter((entry) => entry.table === 'workspaces');
  const [own] = workspaces;
  const [create, next] = snapshot.outbox;
  const adoptable =
    workspaces.length === 1 &&
    !own.deleted &&
    own.id !== target &&
    own.server === null &&
    workspaceChanges.length === 1 &&
    create === workspaceChanges[0] &&
    create.op === 'create' &&
    create.recordId === own.id &&
    snapshot.conflicts.length === 0 &&
    snapshot.failed.length === 0;
  if (!adoptable) return snapshot;
  const renames = await viewSettingsRenames(snapshot.records, own.id, target);
  const moveTo = <T extends { workspaceId: string }>(item: T): T =>
    item.workspaceId === own.id ? { ...item, workspaceId: target } : item;
  const renamed = (table: string, id: string) => (table === 'viewSettings' && renames.get(id)) || id;
  const seqBase = typeof snapshot.seqBase === 'number' ? snapshot.seqBase : 0;
  return {
    ...snapshot,
    records: snapshot.records
      .filter((record) => record !== own)
      .map((record) => ({ ...moveTo(record), id: renamed(record.table, record.id) })),
    outbox: snapshot.outbox
      .slice(1)
      .map((entry) => ({ ...moveTo(entry), recordId: renamed(entry.table, entry.recordId) })),
    // With nothing left to send, the user's fresh outbox starts at key 1: seq base 0.
    seqBase: next ? seqBase + (next.key - create.key) : 0,
  };
}

/**
 * The new ids of the moving workspace's `viewSettings` records: each record made under the
 * name-based id of its view key in `from` gets that of the same key in `to`.
 */
async function viewSettingsRenames(records: LocalRecord[], from: string, to: string): Promise<Map<string, string>> {
  const renames = new Map<string, string>();
  for (const record of records) {
    const viewKey = record.fields.viewKey;
    if (record.table !== 'viewSettings' || record.workspaceId !== from || typeof viewKey !== 'string') continue;
    if (record.id === (await viewSettingsId(from, viewKey))) renames.set(record.id, await viewSettingsId(to, viewKey));
  }
  return renames;
}

/** Reads everything anonymous and marks the claim in progress, in one transaction. */
function beginClaim(anonymous: LocalDatabase, userId: string): Promise<Snapshot> {
  return inWriteTransaction(anonymous, async (tx) => {
    const meta = tx.objectStore(STORES.meta);
    const [records, outbox, conflicts, failed, clientId, seqBase] = await Promise.all([
      tx.objectStore(STORES.records).getAll(),
      tx.objectStore(STORES.outbox).getAll(),
      tx.objectStore(STORES.conflicts).getAll(),
      tx.objectStore(STORES.failed).getAll(),
      meta.get('clientId'),
      meta.get('seqBase'),
    ]);
    await meta.put(userId, 'claimingFor');
    return { records, outbox, conflicts, failed, clientId, seqBase };
  });
}

/**
 * Writes the snapshot into the user's database on their first sign-in (no owner yet and nothing
 * stored), or again when resuming an interrupted claim (same owner, same clientId: only what is
 * missing is added). Marks the owner either way. True when the snapshot belongs there.
 */
function moveInto(user: LocalDatabase, userId: string, snapshot: Snapshot): Promise<boolean> {
  return inWriteTransaction(user, async (tx) => {
    const meta = tx.objectStore(STORES.meta);
    const [owner, clientId, records, entries] = await Promise.all([
      meta.get('owner'),
      meta.get('clientId'),
      tx.objectStore(STORES.records).count(),
      tx.objectStore(STORES.outbox).count(),
    ]);
    const nothingToClaim = snapshot.records.length === 0 && snapshot.outbox.length === 0;
    const firstSignIn = owner === undefined && records === 0 && entries === 0;
    const resuming = owner === userId && clientId !== undefined && clientId === snapshot.clientId;
    await meta.put(userId, 'owner');
    if (nothingToClaim || !(firstSignIn || resuming)) return false;
    await addMissing(tx, snapshot);
    // A resumed claim keeps the seq base: the drain may have realigned it since.
    if (firstSignIn) {
      if (snapshot.clientId !== undefined) await meta.put(snapshot.clientId, 'clientId');
      await meta.put(snapshot.seqBase ?? 0, 'seqBase');
    }
    return true;
  });
}

/** Adds what the database lacks, so resuming never overwrites what happened since. */
async function addMissing(tx: WriteTransaction, snapshot: Snapshot): Promise<void> {
  const records = tx.objectStore(STORES.records);
  const outbox = tx.objectStore(STORES.outbox);
  const conflicts = tx.objectStore(STORES.conflicts);
  const failed = tx.objectStore(STORES.failed);
  const [haveRecords, haveEntries, haveConflicts, haveFailed, newestKey] = await Promise.all([
    records.getAllKeys(),
    outbox.getAllKeys(),
    conflicts.getAllKeys(),
    failed.getAllKeys(),
    readNumber(tx, 'newestKey'),
  ]);
  const recordKeys = new Set(haveRecords.map(([table, id]) => recordKey(table, id)));
  const entryKeys = new Set(haveEntries);
  const conflictKeys = new Set(haveConflicts);
  const failedKeys = new Set(haveFailed);
  await issueAll(
    snapshot.records.filter((record) => !recordKeys.has(recordKey(record.table, record.id))),
    (record) => records.put(record),
  );
  await issueAll(
    snapshot.outbox.filter((entry) => !entryKeys.has(entry.key)),
    (entry) => outbox.put(entry),
  );
  const newestMoved = snapshot.outbox.at(-1)?.key ?? 0; // read in key order
  if (newestMoved > newestKey) await writeMeta(tx, 'newestKey', newestMoved);
  await issueAll(
    snapshot.conflicts.filter((entry) => !conflictKeys.has(entry.id)),
    (entry) => conflicts.put(entry),
  );
  await issueAll(
    snapshot.failed.filter((entry) => !failedKeys.has(entry.id)),
    (entry) => failed.put(entry),
  );
}

/**
 * Ends the claim: deletes exactly what was moved (a write made meanwhile stays anonymous) and
 * gives the anonymous database a new clientId starting at seq 1, the old one now being the
 * user's. With nothing moved, only the in-progress mark goes.
 */
function endClaim(anonymous: LocalDatabase, moved: Snapshot | null): Promise<void> {
  return inWriteTransaction(anonymous, async (tx) => {
    await tx.objectStore(STORES.meta).delete('claimingFor');
    if (!moved) return;
    await issueAll(moved.records, (record) => tx.objectStore(STORES.records).delete([record.table, record.id]));
    await issueAll(moved.outbox, (entry) => tx.objectStore(STORES.outbox).delete(entry.key));
    await issueAll(moved.conflicts, (entry) => tx.objectStore(STORES.conflicts).delete(entry.id));
    await issueAll(moved.failed, (entry) => tx.objectStore(STORES.failed).delete(entry.id));
    await tx.objectStore(STORES.meta).put(newId(), 'clientId');
    await startSeqsAtOne(tx);
  });
}
