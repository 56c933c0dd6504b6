import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { envelope, noteFields, pullPage, storeOpener, writeMetaOf } from './store-fixtures.test-helper.ts';

const stores = storeOpener();
afterEach(() => stores.closeAll());

describe('queries', () => {
  describe('list', () => {
    it('sorts by the newest local change first and filters by workspace', async () => {
      const store = await stores.open();
      const [home, work] = [newId(), newId()];
      await store.applyPullPage(
        pullPage(
          [
            envelope({
              id: newId(),
              workspaceId: home,
              updatedAt: '2000-01-01T00:00:00.000Z',
              fields: noteFields({ title: 'old' }),
            }),
            envelope({
              id: newId(),
              workspaceId: work,
              updatedAt: '2000-01-03T00:00:00.000Z',
              fields: noteFields({ title: 'work' }),
            }),
            envelope({
              id: newId(),
              workspaceId: home,
              updatedAt: '2000-01-02T00:00:00.000Z',
              fields: noteFields({ title: 'mid' }),
            }),
          ],
          3,
        ),
      );
      await store.commit({ op: 'create', table: 'cards', workspaceId: home, fields: noteFields({ title: 'new' }) });
      const all = await store.list('cards');
      expect(all.map((view) => view.fields.title)).toEqual(['new', 'work', 'mid', 'old']);
      const atHome = await store.list('cards', { workspaceId: home });
      expect(atHome.map((view) => view.fields.title)).toEqual(['new', 'mid', 'old']);
    });

    it('lists only the asked table', async () => {
      const store = await stores.open();
      const workspace = await store.commit({
        op: 'create',
        table: 'workspaces',
        workspaceId: '',
        fields: { name: 'W' },
      });
      await store.commit({ op: 'create', table: 'cards', workspaceId: workspace.id, fields: noteFields() });
      expect((await store.list('workspaces')).map((view) => view.id)).toEqual([workspace.id]);
      expect(await store.list('todos')).toEqual([]);
    });
  });

  describe('getMany', () => {
    it('answers in the order asked, whether the records sit in a run or among many others', async () => {
      const store = await stores.open();
      const [workspaceId, ids] = [newId(), Array.from({ length: 12 }, () => newId())];
      await store.applyPullPage(
        pullPage(
          ids.map((id, i) => envelope({ id, workspaceId, fields: noteFields({ title: `t${i}` }) })),
          12,
        ),
      );
      const titles = async (wanted: string[]) =>
        (await store.getMany('cards', wanted)).map((view) => view?.fields.title ?? null);
      // In a run (one range read), in another order, with an id never stored.
      expect(await titles([ids[3], ids[1], newId(), ids[2]])).toEqual(['t3', 't1', null, 't2']);
      // Far apart, ten others between (the range read gives up and reads each).
      expect(await titles([ids[11], ids[0]])).toEqual(['t11', 't0']);
      await store.commit({ op: 'delete', table: 'cards', id: ids[5] });
      await store.purge('cards', ids[5]);
      expect(await titles([ids[4], ids[5], ids[6]])).toEqual(['t4', null, 't6']);
    });
  });

  describe('counts', () => {
    it('is all zero on a new store', async () => {
      const store = await stores.open();
      expect(await store.counts()).toEqual({
        pending: 0,
        retrying: 0,
        failed: 0,
        conflicts: 0,
        nextAttemptAt: null,
        lastError: null,
        cursor: 0,
        lastSyncAt: null,
      });
    });
  });

  describe('meta', () => {
    it('starts with a clientId and seq base 0, kept across reopening', async () => {
      const store = await stores.open();
      const clientId = await store.getMeta<string>('clientId');
      expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await store.getMeta('seqBase')).toBe(0);
      const again = await stores.open(store.name);
      expect(await again.getMeta('clientId')).toBe(clientId);
      await writeMetaOf(store.name, 'owner', 'u1');
      expect(await store.getMeta('owner')).toBe('u1');
    });
  });
});
