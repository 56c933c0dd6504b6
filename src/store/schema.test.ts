import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { inWriteTransaction, LOCAL_DB_VERSION, type LocalDatabase, openLocalDatabase, STORES } from './schema.ts';
import { uniqueDatabaseName } from './test-fixtures.ts';

const opened: LocalDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

async function open(): Promise<LocalDatabase> {
  const db = await openLocalDatabase(uniqueDatabaseName());
  opened.push(db);
  return db;
}

describe('schema', () => {
  it('creates every store and index at the current version', async () => {
    const db = await open();
    expect(db.version).toBe(LOCAL_DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(Object.values(STORES).sort());
    const tx = db.transaction([STORES.records, STORES.outbox, STORES.conflicts], 'readonly');
    expect([...tx.objectStore(STORES.records).indexNames]).toEqual(['byWorkspace']);
    expect([...tx.objectStore(STORES.outbox).indexNames]).toEqual(['byRecord']);
    expect(tx.objectStore(STORES.outbox).autoIncrement).toBe(true);
    expect([...tx.objectStore(STORES.conflicts).indexNames]).toEqual(['byRecord']);
    await tx.done;
  });

  describe('inWriteTransaction', () => {
    it('aborts everything written when the work throws', async () => {
      const db = await open();
      const failure = new Error('boom');
      await expect(
        inWriteTransaction(db, async (tx) => {
          await tx.objectStore(STORES.meta).put('x', 'owner');
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await db.get(STORES.meta, 'owner')).toBeUndefined();
    });
  });
});
