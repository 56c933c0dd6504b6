/** Outbox keys: Burrow gives them from the meta's `newestKey`, written with the entry in one round trip. */
import { readNumber, writeMeta } from './meta.ts';
import { notAwaited, STORES, type WriteTransaction } from './schema.ts';
import type { NewOutboxEntry } from './types.ts';

/**
 * Not the store's key generator: the key it gives is known only when the add's result comes back,
 * and the meta must record it, so every appending commit took one more round trip, one more wait
 * behind a typing person's input and frames (typing bench). The meta's `newestKey` is the last key
 * given; the next entry takes the one after. It moves in the entry's transaction and rolls back
 * with it. Read once per transaction, so entries added together take consecutive keys.
 */
const newestKeys = new WeakMap<WriteTransaction, Promise<{ newest: number }>>();

function keysOf(tx: WriteTransaction): Promise<{ newest: number }> {
  let keys = newestKeys.get(tx);
  if (!keys) {
    keys = readNumber(tx, 'newestKey').then((newest) => ({ newest }));
    newestKeys.set(tx, keys);
  }
  return keys;
}

/**
 * The last key given (the next entry takes the one after). The first call in a transaction issues
 * the read: a commit calls it with its other reads, so later adds cost no round trip of their own.
 */
export async function lastOutboxKey(tx: WriteTransaction): Promise<number> {
  return (await keysOf(tx)).newest;
}

/**
 * Adds `entry` under the next key and records that key as the newest. Both writes are issued and
 * not awaited (a failure aborts the transaction, and its commit reports it); returns the key.
 */
export async function addOutboxEntry(tx: WriteTransaction, entry: NewOutboxEntry): Promise<number> {
  const keys = await keysOf(tx);
  keys.newest += 1;
  const key = keys.newest;
  notAwaited(tx.objectStore(STORES.outbox).add({ ...entry, key }));
  notAwaited(writeMeta(tx, 'newestKey', key));
  return key;
}
