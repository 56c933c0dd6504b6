/**
 * The stored sync figures: one value per account database, read and replaced in one transaction
 * of the figures' own store (no commit waits for it). What the value means is the sync layer's.
 */
import { type LocalDatabase, SYNC_STATS_KEY, SYNC_STATS_STORE } from './schema.ts';

export async function readSyncStats(db: LocalDatabase): Promise<unknown> {
  return db.get(SYNC_STATS_STORE, SYNC_STATS_KEY);
}

/** Replaces the stored figures with `update(stored)`, read and written in one transaction (two engines never undo each other). */
export async function updateSyncStats(db: LocalDatabase, update: (stored: unknown) => unknown): Promise<unknown> {
  const tx = db.transaction(SYNC_STATS_STORE, 'readwrite');
  const next = update(await tx.store.get(SYNC_STATS_KEY));
  await tx.store.put(next, SYNC_STATS_KEY);
  await tx.done;
  return next;
}
