/** Sync state kept in the `meta` store, one value per `MetaKey`. */
import { type LocalDatabase, STORES, type WriteTransaction } from './schema.ts';
import type { MetaKey } from './types.ts';

export async function getMeta<T>(db: LocalDatabase, key: MetaKey): Promise<T | undefined> {
  return (await db.get(STORES.meta, key)) as T | undefined;
}

export async function setMeta(db: LocalDatabase, key: MetaKey, value: unknown): Promise<void> {
  await db.put(STORES.meta, value, key);
}

/** A numeric meta value inside a transaction (0 when unset). */
export async function readNumber(
  tx: WriteTransaction,
  key: 'seqBase' | 'sentThrough' | 'newestKey' | 'cursor' | 'resyncGeneration',
) {
  return ((await tx.objectStore(STORES.meta).get(key)) as number | undefined) ?? 0;
}

export async function writeMeta(tx: WriteTransaction, key: MetaKey, value: unknown): Promise<void> {
  await tx.objectStore(STORES.meta).put(value, key);
}
