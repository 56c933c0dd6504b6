import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { isUuid, newId, type Problem } from '../../protocol/index.ts';
import { noteFields, storeOpener } from './store-fixtures.test-helper.ts';
import type { LocalStore } from './types.ts';

const workspaceId = newId();
const stores = storeOpener();
afterEach(() => stores.closeAll());

async function storeWithCards(count: number): Promise<{ store: LocalStore; ids: string[] }> {
  const store = await stores.open();
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const view = await store.commit({
      op: 'create',
      table: 'cards',
      workspaceId,
      fields: noteFields({ title: `card ${index}` }),
    });
    ids.push(view.id);
  }
  return { store, ids };
}

const tooLarge: Problem = {
  type: '/docs/problems#too-large',
  title: 'Too large',
  status: 413,
  detail: 'x',
  code: 'too-large',
};

describe('outbox', () => {
  describe('nextBatch', () => {
    it('is null when the outbox is empty', async () => {
      const store = await stores.open();
      expect(await store.nextBatch(10, 1000)).toBeNull();
    });

    it('returns the oldest entries with wire seqs, the clientId and the mutations on the wire', async () => {
      const { store, ids } = await storeWithCards(3);
      const batch = await store.nextBatch(10, 1_000_000);
      expect(batch?.clientId).toBe(await store.getMeta('clientId'));
      expect(batch?.entries.map((entry) => entry.key)).toEqual([1, 2, 3]);
      expect(batch?.mutations.map((mutation) => [mutation.seq, mutation.recordId, mutation.op])).toEqual([
        [1, ids[0], 'create'],
        [2, ids[1], 'create'],
        [3, ids[2], 'create'],
      ]);
      expect(Object.keys(batch!.mutations[0]).sort()).toEqual(
        ['baseVersion', 'clientTime', 'fields', 'id', 'op', 'recordId', 'seq', 'table', 'workspaceId'].sort(),
      );
    });

    it('stops at maxCount', async () => {
      const { store } = await storeWithCards(5);
      expect((await store.nextBatch(2, 1_000_000))?.entries).toHaveLength(2);
    });

    it('stops before maxBytes of JSON, but always returns at least one entry', async () => {
      const { store } = await storeWithCards(3);
      const all = await store.nextBatch(10, 1_000_000);
      const twoBytes = new TextEncoder().encode(JSON.stringify(all!.mutations.slice(0, 2))).byteLength;
      expect((await store.nextBatch(10, twoBytes))?.entries).toHaveLength(2);
      expect((await store.nextBatch(10, twoBytes - 1))?.entries).toHaveLength(1);
      expect((await store.nextBatch(10, 1))?.entries).toHaveLength(1);
    });
  });

  describe('nextBatch and later edits', () => {
    it('counts the batch as sent, so an edit made while it is in flight gets its own entry', async () => {
      const { store, ids } = await storeWithCards(1);
      await store.nextBatch(10, 1_000_000);
      await store.commit({ op: 'update', table: 'cards', id: ids[0], fields: { title: 'edited in flight' } });
      const entries = await store.pendingEntries();
      expect(entries.map((entry) => [entry.key, entry.op, entry.fields])).toEqual([
        [1, 'create', noteFields({ title: 'card 0' })],
        [2, 'update', { title: 'edited in flight' }],
      ]);
    });

    it('still merges into entries newer than the batch', async () => {
      const { store, ids } = await storeWithCards(2);
      await store.nextBatch(1, 1_000_000);
      await store.commit({ op: 'update', table: 'cards', id: ids[1], fields: { title: 'edited before sending' } });
      const entries = await store.pendingEntries();
      expect(entries.map((entry) => [entry.key, entry.op, entry.fields?.title])).toEqual([
        [1, 'create', 'card 0'],
        [2, 'create', 'edited before sending'],
      ]);
    });
  });

  describe('alignSeq', () => {
    it('shifts the seq base so the oldest entry goes out as the expected seq', async () => {
      const { store } = await storeWithCards(2);
      await store.alignSeq(7);
      const batch = await store.nextBatch(10, 1_000_000);
      expect(batch?.mutations.map((mutation) => mutation.seq)).toEqual([7, 8]);
      expect(batch?.entries.map((entry) => entry.key)).toEqual([1, 2]);
    });
  });

  describe('renewClientId', () => {
    it('gives a new clientId and renumbers pending entries from seq 1', async () => {
      const { store } = await storeWithCards(4);
      const before = await store.getMeta<string>('clientId');
      const first = await store.nextBatch(2, 1_000_000);
      await store.applyPushResults(first!, {
        protocol: 1,
        lastSeq: 2,
        cursor: 2,
        results: first!.mutations.map((mutation) => ({ seq: mutation.seq, id: mutation.id, status: 'duplicate' })),
      });
      const clientId = await store.renewClientId();
      expect(isUuid(clientId)).toBe(true);
      expect(clientId).not.toBe(before);
      const batch = await store.nextBatch(10, 1_000_000);
      expect(batch?.clientId).toBe(clientId);
      expect(batch?.mutations.map((mutation) => mutation.seq)).toEqual([1, 2]);
    });

    it('with an empty outbox, the next commit goes out as seq 1', async () => {
      const { store, ids } = await storeWithCards(2);
      const batch = await store.nextBatch(10, 1_000_000);
      await store.applyPushResults(batch!, {
        protocol: 1,
        lastSeq: 2,
        cursor: 2,
        results: batch!.mutations.map((mutation) => ({ seq: mutation.seq, id: mutation.id, status: 'duplicate' })),
      });
      expect(ids).toHaveLength(2);
      await store.renewClientId();
      await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const next = await store.nextBatch(10, 1_000_000);
      expect(next?.entries.map((entry) => entry.key)).toEqual([3]);
      expect(next?.mutations.map((mutation) => mutation.seq)).toEqual([1]);
    });
  });

  describe('recordTransientFailure', () => {
    it('counts failures with the last error', async () => {
      const { store } = await storeWithCards(2);
      for (let attempt = 1; attempt <= 3; attempt++) {
        await store.recordTransientFailure(1, `HTTP 503 #${attempt}`, 1000 * attempt);
      }
      expect((await store.pendingEntries())[0]).toMatchObject({
        attempts: 3,
        lastError: 'HTTP 503 #3',
        nextAttemptAt: 3000,
      });
      expect(await store.counts()).toEqual({
        pending: 2,
        retrying: 1,
        failed: 0,
        conflicts: 0,
        nextAttemptAt: 3000,
        lastError: 'HTTP 503 #3',
        cursor: 0,
        lastSyncAt: null,
      });
    });
  });

  describe('failEntry', () => {
    it('moves a single entry to failed with every field, and its created record disappears', async () => {
      const { store, ids } = await storeWithCards(1);
      const refs = await store.failEntry(1, tooLarge);
      expect(refs).toEqual([{ table: 'cards', id: ids[0] }]);
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', ids[0])).toBeUndefined();
      const [failed] = await store.failedEntries();
      expect(failed).toMatchObject({
        recordId: ids[0],
        op: 'create',
        error: tooLarge,
        fields: noteFields({ title: 'card 0' }),
      });
      expect((await store.counts()).failed).toBe(1);
    });
  });
});
