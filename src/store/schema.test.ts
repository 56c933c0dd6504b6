import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFromEnvelope } from './record-state.ts';
import {
  inWriteTransaction,
  LOCAL_DB_VERSION,
  type LocalDatabase,
  notAwaited,
  openLocalDatabase,
  STORES,
  SYNC_STATS_STORE,
} from './schema.ts';
import { envelope, uniqueDatabaseName } from './store-fixtures.test-helper.ts';
import type { OutboxEntry } from './types.ts';

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
    expect([...db.objectStoreNames].sort()).toEqual([...Object.values(STORES), SYNC_STATS_STORE].sort());
    const tx = db.transaction([STORES.records, STORES.outbox, STORES.conflicts], 'readonly');
    expect([...tx.objectStore(STORES.records).indexNames]).toEqual([]);
    expect([...tx.objectStore(STORES.outbox).indexNames]).toEqual(['byRecord']);
    expect(tx.objectStore(STORES.outbox).autoIncrement).toBe(true);
    expect([...tx.objectStore(STORES.conflicts).indexNames]).toEqual(['byRecord']);
    await tx.done;
  });

  describe('upgrade from version 1', () => {
    async function upgradeWithEntries(count: number): Promise<unknown> {
      const name = uniqueDatabaseName();
      const old = await openLocalDatabase(name, 1);
      const tx = old.transaction(STORES.outbox, 'readwrite');
      for (let i = 0; i < count; i++) await tx.store.add({ id: `m${i}` } as OutboxEntry);
      await tx.done;
      old.close();
      const db = await openLocalDatabase(name, 2);
      opened.push(db);
      return db.get(STORES.meta, 'newestKey');
    }

    it("keeps the newest outbox entry's key as newestKey", async () => {
      expect(await upgradeWithEntries(3)).toBe(3);
    });

    it('leaves newestKey unset when the outbox is empty', async () => {
      expect(await upgradeWithEntries(0)).toBeUndefined();
    });

    it('is not stalled by a connection still open at the older version: that one closes', async () => {
      const name = uniqueDatabaseName();
      const old = await openLocalDatabase(name, 1);
      const db = await openLocalDatabase(name);
      opened.push(db);
      expect(db.version).toBe(LOCAL_DB_VERSION);
      // A closed connection refuses new transactions.
      expect(() => old.transaction(STORES.meta)).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    });
  });

  it('upgrading from version 2 drops the workspace index and keeps every record', async () => {
    const name = uniqueDatabaseName();
    const old = await openLocalDatabase(name, 2);
    const record = recordFromEnvelope(envelope({ id: 'r1', workspaceId: 'w1' }));
    await old.put(STORES.records, record);
    expect([...old.transaction(STORES.records).store.indexNames]).toEqual(['byWorkspace']);
    old.close();
    const db = await openLocalDatabase(name);
    opened.push(db);
    expect([...db.transaction(STORES.records).store.indexNames]).toEqual([]);
    expect(await db.getAll(STORES.records)).toEqual([record]);
  });

  describe('upgrade from version 4', () => {
    it("starts newestKey at the last key the store's generator gave, even one no entry keeps", async () => {
      const name = uniqueDatabaseName();
      const old = await openLocalDatabase(name, 4);
      const tx = old.transaction([STORES.outbox, STORES.meta], 'readwrite');
      for (let i = 0; i < 3; i++) await tx.objectStore(STORES.outbox).add({ id: `m${i}` } as OutboxEntry);
      await tx.objectStore(STORES.meta).put(3, 'newestKey');
      // A key taken and given back (the old way of learning the generator's position).
      await tx.objectStore(STORES.outbox).delete(await tx.objectStore(STORES.outbox).add({ id: 'p' } as OutboxEntry));
      await tx.done;
      old.close();
      const db = await openLocalDatabase(name);
      opened.push(db);
      expect(await db.get(STORES.meta, 'newestKey')).toBe(4);
      expect(await db.getAllKeys(STORES.outbox)).toEqual([1, 2, 3]);
    });

    it('starts newestKey at 0 on an empty outbox', async () => {
      expect(await open().then((db) => db.get(STORES.meta, 'newestKey'))).toBe(0);
    });
  });

  describe('inWriteTransaction', () => {
    it('a write issued and not awaited that fails fails the whole transaction', async () => {
      const db = await open();
      await db.add(STORES.outbox, { id: 'm1', key: 1 } as OutboxEntry);
      await expect(
        inWriteTransaction(db, async (tx) => {
          await tx.objectStore(STORES.meta).put('x', 'owner');
          notAwaited(tx.objectStore(STORES.outbox).add({ id: 'm2', key: 1 } as OutboxEntry));
        }),
      ).rejects.toThrow();
      expect(await db.get(STORES.meta, 'owner')).toBeUndefined();
      expect(await db.getAll(STORES.outbox)).toEqual([{ id: 'm1', key: 1 }]);
    });

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
