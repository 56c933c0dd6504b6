import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { commit } from './commit.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { openLocalStore } from './open-local-store.ts';
import { type LocalDatabase, openLocalDatabase, STORES } from './schema.ts';
import { noteFields, uniqueDatabaseName } from './store-fixtures.test-helper.ts';
import type { LocalStore } from './types.ts';

const workspaceId = newId();
const opened: { close(): void }[] = [];

async function openStore(): Promise<LocalStore> {
  const store = await openLocalStore(uniqueDatabaseName());
  opened.push(store);
  return store;
}

afterEach(() => {
  for (const connection of opened.splice(0)) connection.close();
});

function createCard(store: LocalStore, fields: Record<string, unknown> = {}) {
  return store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields(fields) });
}

describe('commit', () => {
  describe('atomicity', () => {
    it('leaves neither record nor mutation when the transaction aborts after the record put', async () => {
      const name = uniqueDatabaseName();
      const db: LocalDatabase = await openLocalDatabase(name);
      opened.push(db);
      const id = newId();
      const change = { op: 'create', table: 'cards', id, workspaceId, fields: noteFields() } as const;
      await expect(commit(db, change, { afterRecordPut: (tx) => tx.abort() })).rejects.toThrow();
      expect(await db.get(STORES.records, ['cards', id])).toBeUndefined();
      expect(await db.count(STORES.outbox)).toBe(0);

      // The aborted commit used no seq: the next one is still key 1.
      await commit(db, change);
      expect((await db.getAll(STORES.outbox)).map((entry) => entry.key)).toEqual([1]);
    });

    it('writes the record and its mutation together', async () => {
      const store = await openStore();
      const view = await createCard(store, { title: 'Hello' });
      expect(view).toMatchObject({ table: 'cards', workspaceId, version: 0, pending: true, deleted: false });
      expect(await store.get('cards', view.id)).toEqual(view);
      const [entry] = await store.pendingEntries();
      expect(entry).toMatchObject({ key: 1, op: 'create', recordId: view.id, baseVersion: 0, attempts: 0 });
      expect(entry.fields).toEqual(noteFields({ title: 'Hello' }));
    });
  });

  describe('commitAll', () => {
    it('creates every record with its mutation, in order, in one transaction', async () => {
      const store = await openStore();
      const changes = [1, 2, 3].map((n) => ({
        op: 'create' as const,
        table: 'cards' as const,
        workspaceId,
        fields: noteFields({ title: `Note ${n}` }),
      }));
      const views = await store.commitAll(changes);
      expect(views.map((view) => view.fields.title)).toEqual(['Note 1', 'Note 2', 'Note 3']);
      const pending = await store.pendingEntries();
      expect(pending.map((entry) => entry.recordId)).toEqual(views.map((view) => view.id));
    });

    it('writes nothing when one of the records is invalid', async () => {
      const store = await openStore();
      const good = { op: 'create' as const, table: 'cards' as const, workspaceId, fields: noteFields() };
      const bad = { ...good, fields: noteFields({ title: 42 }) };
      await expect(store.commitAll([good, good, bad])).rejects.toThrow(ValidationError);
      expect(await store.list('cards')).toEqual([]);
      expect(await store.pendingEntries()).toEqual([]);
    });
  });

  describe('create', () => {
    it('uses the record id as the workspaceId of a workspace', async () => {
      const store = await openStore();
      const view = await store.commit({ op: 'create', table: 'workspaces', workspaceId: '', fields: { name: 'Home' } });
      expect(view.workspaceId).toBe(view.id);
      expect((await store.pendingEntries())[0].workspaceId).toBe(view.id);
    });

    it('refuses an invalid record with a ValidationError and writes nothing', async () => {
      const store = await openStore();
      const error = await createCard(store, { kind: 'link' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).name).toBe('ValidationError');
      expect((error as ValidationError).errors).toEqual([{ pointer: '/url', detail: 'is required for a link card' }]);
      expect((error as ValidationError).message).toContain('/url is required for a link card');
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.list('cards')).toEqual([]);
    });

    it('refuses an id that already exists', async () => {
      const store = await openStore();
      const view = await createCard(store);
      await expect(
        store.commit({ op: 'create', table: 'cards', id: view.id, workspaceId, fields: noteFields() }),
      ).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('update', () => {
    it('merges into the newest unsent entry of the same record', async () => {
      const store = await openStore();
      const view = await createCard(store);
      await store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'Two' } });
      await store.commit({ op: 'update', table: 'cards', id: view.id, fields: { pinned: true } });
      const entries = await store.pendingEntries();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ key: 1, op: 'create', id: entries[0].id });
      expect(entries[0].fields).toEqual(noteFields({ title: 'Two', pinned: true }));
      expect((await store.get('cards', view.id))?.fields).toEqual(noteFields({ title: 'Two', pinned: true }));
    });

    it('never merges into an entry that was sent', async () => {
      const store = await openStore();
      const view = await createCard(store);
      await store.nextBatch(10, 1_000_000);
      await store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'Two' } });
      await store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'Three' } });
      const entries = await store.pendingEntries();
      expect(entries.map((entry) => [entry.key, entry.op, entry.fields])).toEqual([
        [1, 'create', noteFields()],
        [2, 'update', { title: 'Three' }],
      ]);
    });

    it('appends when the newest entry belongs to another record, keeping seqs gap-free', async () => {
      const store = await openStore();
      const first = await createCard(store);
      const second = await createCard(store);
      await store.commit({ op: 'update', table: 'cards', id: first.id, fields: { title: 'x' } });
      await store.commit({ op: 'update', table: 'cards', id: second.id, fields: { title: 'y' } });
      await store.commit({ op: 'update', table: 'cards', id: second.id, fields: { title: 'z' } });
      const entries = await store.pendingEntries();
      expect(entries.map((entry) => [entry.key, entry.op, entry.recordId])).toEqual([
        [1, 'create', first.id],
        [2, 'create', second.id],
        [3, 'update', first.id],
        [4, 'update', second.id],
      ]);
      expect(entries[3].fields).toEqual({ title: 'z' });
    });

    it('keeps seqs gap-free across interleaved concurrent commits from two connections', async () => {
      const name = uniqueDatabaseName();
      const tabA = await openLocalStore(name);
      const tabB = await openLocalStore(name);
      opened.push(tabA, tabB);
      const commits = Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? tabA : tabB).commit({
          op: 'create',
          table: 'cards',
          workspaceId,
          fields: noteFields({ title: `card ${index}` }),
        }),
      );
      await Promise.all(commits);
      const keys = (await tabA.pendingEntries()).map((entry) => entry.key);
      expect(keys).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    });

    it('commits nothing when nothing changes', async () => {
      const store = await openStore();
      const view = await createCard(store, { title: 'Same' });
      await store.nextBatch(10, 1_000_000);
      const after = await store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'Same' } });
      expect(after).toEqual(view);
      expect(await store.pendingEntries()).toHaveLength(1);
    });

    it('sends only the changed fields with the server version as base', async () => {
      const store = await openStore();
      const view = await createCard(store, { title: 'Same', tags: ['a'] });
      await store.nextBatch(10, 1_000_000);
      await store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'Same', tags: ['a', 'b'] } });
      const entries = await store.pendingEntries();
      expect(entries[1]).toMatchObject({ op: 'update', baseVersion: 0, fields: { tags: ['a', 'b'] } });
    });

    it('validates the patch and the merged record before writing', async () => {
      const store = await openStore();
      const view = await createCard(store);
      await expect(
        store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'a\u0007' } }),
      ).rejects.toBeInstanceOf(ValidationError);
      const merged = store.commit({ op: 'update', table: 'cards', id: view.id, fields: { kind: 'link' } });
      await expect(merged).rejects.toMatchObject({ errors: [{ pointer: '/url' }] });
      expect((await store.get('cards', view.id))?.fields).toEqual(noteFields());
      expect((await store.pendingEntries())[0].fields).toEqual(noteFields());
    });

    it('refuses an unknown id with a NotFoundError', async () => {
      const store = await openStore();
      await expect(
        store.commit({ op: 'update', table: 'cards', id: newId(), fields: { title: 'x' } }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.commit({ op: 'delete', table: 'cards', id: newId() })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses an update of a locally deleted record: restore it first', async () => {
      const store = await openStore();
      const view = await createCard(store);
      await store.commit({ op: 'delete', table: 'cards', id: view.id });
      await expect(store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'x' } })).rejects.toThrow(
        /restore it first/i,
      );
    });
  });

  describe('delete and restore', () => {
    it('appends a delete, then a restore that later updates merge into', async () => {
      const store = await openStore();
      const view = await createCard(store);
      const deleted = await store.commit({ op: 'delete', table: 'cards', id: view.id });
      expect(deleted.deleted).toBe(true);
      expect(await store.list('cards')).toEqual([]);
      expect(await store.list('cards', { includeDeleted: true })).toHaveLength(1);
      await store.commit({ op: 'restore', table: 'cards', id: view.id });
      await store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'back' } });
      const entries = await store.pendingEntries();
      expect(entries.map((entry) => [entry.op, entry.fields])).toEqual([
        ['create', noteFields()],
        ['delete', undefined],
        ['restore', { title: 'back' }],
      ]);
      expect(await store.get('cards', view.id)).toMatchObject({
        deleted: false,
        fields: noteFields({ title: 'back' }),
      });
    });

    it('deleting a deleted record commits nothing', async () => {
      const store = await openStore();
      const view = await createCard(store);
      await store.commit({ op: 'delete', table: 'cards', id: view.id });
      await store.commit({ op: 'delete', table: 'cards', id: view.id });
      expect(await store.pendingEntries()).toHaveLength(2);
    });

    it('purge hides a record for good, a live one too (see purge.test.ts)', async () => {
      const store = await openStore();
      const view = await createCard(store);
      await store.purge('cards', view.id);
      expect(await store.get('cards', view.id)).toBeUndefined();
      expect(await store.list('cards', { includeDeleted: true })).toEqual([]);
    });
  });
});
