/** Outbox keys given from the meta: consecutive, rolled back with their transaction, never reused after a drain. */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { openLocalDatabase, STORES } from './schema.ts';
import { noteFields, storeOpener, uniqueDatabaseName } from './store-fixtures.test-helper.ts';

const workspaceId = newId();
const stores = storeOpener();
afterEach(() => stores.closeAll());

const create = () => ({ op: 'create' as const, table: 'cards' as const, workspaceId, fields: noteFields() });

async function newestKeyOf(name: string): Promise<unknown> {
  const db = await openLocalDatabase(name);
  try {
    return await db.get(STORES.meta, 'newestKey');
  } finally {
    db.close();
  }
}

describe('outbox keys', () => {
  it('entries added in one transaction take consecutive keys, and the meta keeps the last', async () => {
    const name = uniqueDatabaseName();
    const store = await stores.open(name);
    await store.commit(create());
    await store.commitAll([create(), create(), create()]);
    expect((await store.pendingEntries()).map((entry) => entry.key)).toEqual([1, 2, 3, 4]);
    expect(await newestKeyOf(name)).toBe(4);
  });

  it('a refused commit gives back its key: the next entry takes it, so seqs keep no gap', async () => {
    const store = await stores.open();
    await store.commit(create());
    await expect(store.commitAll([create(), { ...create(), fields: { kind: 'note' } }])).rejects.toThrow();
    await store.commit(create());
    const batch = await store.nextBatch(10, 1_000_000);
    expect(batch?.entries.map((entry) => entry.key)).toEqual([1, 2]);
    expect(batch?.mutations.map((mutation) => mutation.seq)).toEqual([1, 2]);
  });

  it('keys keep rising after the outbox drains: a sent key is never given again', async () => {
    const store = await stores.open();
    await store.commit(create());
    const batch = await store.nextBatch(10, 1_000_000);
    await store.applyPushResults(batch!, {
      protocol: 1,
      lastSeq: 1,
      cursor: 1,
      results: [{ seq: 1, id: batch!.mutations[0].id, status: 'duplicate' }],
    });
    expect(await store.pendingEntries()).toEqual([]);
    await store.commit(create());
    const next = await store.nextBatch(10, 1_000_000);
    expect(next?.entries.map((entry) => entry.key)).toEqual([2]);
    expect(next?.mutations.map((mutation) => mutation.seq)).toEqual([2]);
  });
});
