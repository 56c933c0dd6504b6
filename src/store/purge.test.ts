import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type Envelope, newId } from '../../protocol/index.ts';
import { openLocalDatabase, STORES } from './schema.ts';
import { envelope, noteFields, pullPage, pushResponse, storeOpener } from './store-fixtures.test-helper.ts';
import type { LocalRecord, LocalStore } from './types.ts';

const workspaceId = newId();
const stores = storeOpener();
const opened: { close(): void }[] = [];
afterEach(() => {
  stores.closeAll();
  for (const db of opened.splice(0)) db.close();
});

/** A store holding one card the server has at version 1 (deleted there when `deleted`). */
async function storeWithSyncedCard(deleted = false) {
  const store = await stores.open();
  const server = envelope({ id: newId(), workspaceId, deleted, fields: noteFields({ content: 'a secret' }) });
  await store.applyPullPage(pullPage([server], 10));
  return { store, server };
}

/** The record as stored, content and server copy included. */
async function rawRecord(store: LocalStore, id: string): Promise<LocalRecord | undefined> {
  const db = await openLocalDatabase(store.name);
  opened.push(db);
  return db.get(STORES.records, ['cards', id]);
}

function createNote(store: LocalStore) {
  return store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields({ content: 'a draft' }) });
}

describe('purge', () => {
  describe('of a record the server has', () => {
    it('queues one purge of a tombstone, hides it and drops its content here', async () => {
      const { store, server } = await storeWithSyncedCard(true);
      await store.purge('cards', server.id);
      const [entry] = await store.pendingEntries();
      expect(entry).toMatchObject({ op: 'purge', recordId: server.id, baseVersion: 1 });
      expect(entry.fields).toBeUndefined();
      expect(await store.get('cards', server.id)).toBeUndefined();
      expect(await store.list('cards', { includeDeleted: true })).toEqual([]);
      expect(await rawRecord(store, server.id)).toMatchObject({ fields: {}, deleted: true, purged: true, pending: 1 });
    });

    it('deletes and purges a live record with one entry', async () => {
      const { store, server } = await storeWithSyncedCard();
      await store.purge('cards', server.id);
      expect((await store.pendingEntries()).map((entry) => entry.op)).toEqual(['purge']);
      expect(await store.get('cards', server.id)).toBeUndefined();
    });

    it('turns an unsent delete of it into the purge instead of queueing a second entry', async () => {
      const { store, server } = await storeWithSyncedCard();
      await store.commit({ op: 'delete', table: 'cards', id: server.id });
      await store.purge('cards', server.id);
      expect((await store.pendingEntries()).map((entry) => entry.op)).toEqual(['purge']);
    });

    it('keeps the record purged when the server acknowledges, with an empty server copy', async () => {
      const { store, server } = await storeWithSyncedCard(true);
      await store.purge('cards', server.id);
      const batch = (await store.nextBatch(100, 1_000_000))!;
      const stamp = { version: 2, seq: 20, deleted: true, updatedAt: '2026-02-01T00:00:00.000Z' };
      const result = { seq: batch.mutations[0].seq, id: batch.mutations[0].id, status: 'applied' as const };
      await store.applyPushResults(batch, pushResponse([{ ...result, fromVersion: 1, stamp }]));
      expect(await store.pendingEntries()).toEqual([]);
      const stored = await rawRecord(store, server.id);
      expect(stored).toMatchObject({ purged: true, pending: 0, fields: {} });
      expect(stored?.server).toMatchObject({ version: 2, purged: true, fields: {} });
    });

    it('shows a tombstone in the Trash again when the server refuses its purge, and a retry purges again', async () => {
      const { store, server } = await storeWithSyncedCard(true);
      await store.purge('cards', server.id);
      const batch = (await store.nextBatch(100, 1_000_000))!;
      const error = {
        type: '/docs/problems#forbidden',
        title: 'Forbidden',
        status: 403,
        detail: 'no',
        code: 'forbidden',
      };
      const result = { seq: batch.mutations[0].seq, id: batch.mutations[0].id, status: 'rejected' as const, error };
      await store.applyPushResults(batch, pushResponse([result as never]));
      expect(await store.get('cards', server.id)).toMatchObject({
        deleted: true,
        fields: noteFields({ content: 'a secret' }),
      });
      const [failed] = await store.failedEntries();
      expect(failed).toMatchObject({ op: 'purge', recordId: server.id });
      await store.retryFailed(failed.id);
      expect((await store.pendingEntries()).map((entry) => entry.op)).toEqual(['purge']);
      expect(await store.get('cards', server.id)).toBeUndefined();
    });

    it('refuses a later edit or restore of the purged record', async () => {
      const { store, server } = await storeWithSyncedCard(true);
      await store.purge('cards', server.id);
      await expect(store.commit({ op: 'restore', table: 'cards', id: server.id })).rejects.toThrow(/not found/i);
      await store.purge('cards', server.id);
      expect(await store.pendingEntries()).toHaveLength(1);
    });
  });

  describe('of a record never sent', () => {
    it('with other changes waiting, turns its entries into purges without fields (no seq gap, no content sent)', async () => {
      const store = await stores.open();
      const other = await createNote(store);
      const draft = await createNote(store);
      await store.commit({ op: 'update', table: 'cards', id: draft.id, fields: { title: 'Typed' } });
      await store.commit({ op: 'delete', table: 'cards', id: draft.id });
      await store.purge('cards', draft.id);
      const entries = await store.pendingEntries();
      expect(entries.map((entry) => [entry.recordId, entry.op, entry.fields])).toEqual([
        [other.id, 'create', noteFields({ content: 'a draft' })],
        [draft.id, 'purge', undefined],
        [draft.id, 'purge', undefined],
      ]);
      expect(entries.map((entry) => entry.key)).toEqual([1, 2, 3]);
      expect(await store.get('cards', draft.id)).toBeUndefined();
    });

    it('sends nothing at all when the outbox holds nothing else, and the next entry goes out with the next seq', async () => {
      const store = await stores.open();
      await createNote(store);
      const sent = (await store.nextBatch(100, 1_000_000))!;
      const stamp = { version: 1, seq: 5, deleted: false, updatedAt: '2026-02-01T00:00:00.000Z' };
      const [mutation] = sent.mutations;
      const acknowledged = { seq: mutation.seq, id: mutation.id, status: 'applied' as const, fromVersion: 0, stamp };
      await store.applyPushResults(sent, pushResponse([acknowledged], 1));
      const draft = await createNote(store);
      await store.commit({ op: 'delete', table: 'cards', id: draft.id });
      await store.purge('cards', draft.id);
      expect(await store.pendingEntries()).toEqual([]);
      expect(await rawRecord(store, draft.id)).toBeUndefined();
      await createNote(store);
      const batch = (await store.nextBatch(100, 1_000_000))!;
      expect(batch.mutations.map((next) => next.seq)).toEqual([2]);
    });
  });
});

describe('purge of a workspace', () => {
  it('is refused, as the server refuses it', async () => {
    const store = await stores.open();
    const workspace = await store.commit({ op: 'create', table: 'workspaces', workspaceId, fields: { name: 'W' } });
    await expect(store.purge('workspaces', workspace.id)).rejects.toThrow(/cannot purge a workspace/);
  });
});

describe('a pulled purge', () => {
  it('hides the record and drops its content, here and in the server copy', async () => {
    const { store, server } = await storeWithSyncedCard(true);
    const purged: Envelope = { ...server, version: 2, seq: 2, purged: true, fields: {} };
    await store.applyPullPage(pullPage([purged], 20));
    expect(await store.get('cards', server.id)).toBeUndefined();
    const stored = await rawRecord(store, server.id);
    expect(stored).toMatchObject({ purged: true, fields: {}, server: { purged: true, fields: {} } });
  });

  it('hides a live record purged on another device', async () => {
    const { store, server } = await storeWithSyncedCard();
    await store.applyPullPage(
      pullPage([{ ...server, version: 2, seq: 2, deleted: true, purged: true, fields: {} }], 20),
    );
    expect(await store.list('cards', { includeDeleted: true })).toEqual([]);
  });
});
