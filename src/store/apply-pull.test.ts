import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Envelope, newId } from '../../protocol/index.ts';
import { applyPullPages } from './apply-pull.ts';
import { envelope, noteFields, pullPage, pushResponse, storeOpener } from './store-fixtures.test-helper.ts';

const workspaceId = newId();
const stores = storeOpener();
afterEach(() => {
  stores.closeAll();
  vi.restoreAllMocks();
});

function card(fields: Record<string, unknown> = {}, partial: Partial<Envelope> = {}): Envelope {
  return envelope({ id: newId(), workspaceId, fields: noteFields(fields), ...partial });
}

describe('applyPullPage', () => {
  describe('applying changes', () => {
    it('stores new records and the cursor, and counts them as from elsewhere', async () => {
      const store = await stores.open();
      const [a, b] = [card({ title: 'a' }), card({ title: 'b' }, { deleted: true })];
      const applied = await store.applyPullPage(pullPage([a, b], 42, true));
      expect(applied).toEqual({
        changed: [
          { table: 'cards', id: a.id },
          { table: 'cards', id: b.id },
        ],
        // As stored, for tabs to take instead of reading them.
        views: [await store.get('cards', a.id), await store.get('cards', b.id)],
        fromElsewhere: 2,
        fromOtherDevices: [
          { table: 'cards', id: a.id },
          { table: 'cards', id: b.id },
        ],
        cursor: 42,
        counts: null,
      });
      expect(await store.getMeta('cursor')).toBe(42);
      expect(await store.get('cards', a.id)).toEqual({
        id: a.id,
        table: 'cards',
        workspaceId,
        version: 1,
        deleted: false,
        fields: a.fields,
        pending: false,
        conflict: false,
      });
      expect(await store.get('cards', b.id)).toMatchObject({ deleted: true });
    });

    it('skips a change no newer than the local server copy', async () => {
      const store = await stores.open();
      const a = card({ title: 'v2' }, { version: 2 });
      await store.applyPullPage(pullPage([a], 10));
      const applied = await store.applyPullPage(
        pullPage([{ ...a, version: 1, fields: noteFields({ title: 'v1' }) }], 11),
      );
      expect(applied).toEqual({
        changed: [],
        views: [],
        fromElsewhere: 0,
        fromOtherDevices: [],
        cursor: 11,
        counts: null,
      });
      expect(await store.get('cards', a.id)).toMatchObject({ version: 2, fields: noteFields({ title: 'v2' }) });
    });

    it('takes the newest of several changes of one record in a page', async () => {
      const store = await stores.open();
      const a = card({ title: 'v1' });
      const v2 = { ...a, version: 2, fields: noteFields({ title: 'v2' }) };
      await store.applyPullPage(pullPage([a, v2, a], 10));
      expect(await store.get('cards', a.id)).toMatchObject({ version: 2, fields: noteFields({ title: 'v2' }) });
    });

    it('rebases pending edits on top of the pulled copy', async () => {
      const store = await stores.open();
      const a = card({ title: 'server' });
      await store.applyPullPage(pullPage([a], 1));
      await store.commit({ op: 'update', table: 'cards', id: a.id, fields: { title: 'mine' } });
      const applied = await store.applyPullPage(
        pullPage([{ ...a, version: 2, fields: noteFields({ title: 'theirs', pinned: true }) }], 2),
      );
      expect(applied.fromElsewhere).toBe(1);
      expect(await store.get('cards', a.id)).toMatchObject({
        version: 2,
        pending: true,
        fields: noteFields({ title: 'mine', pinned: true }),
      });
      const [entry] = await store.pendingEntries();
      expect(entry).toMatchObject({ op: 'update', fields: { title: 'mine' }, baseVersion: 1 });
    });

    it("as a pull's last page, stores the sync time and reads the counts after, in the same transaction", async () => {
      const store = await stores.open();
      const a = card({ title: 'a' });
      await store.applyPullPage(pullPage([a], 1));
      await store.commit({ op: 'update', table: 'cards', id: a.id, fields: { title: 'mine' } });
      const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction');
      const syncedAt = '2026-11-22T10:00:00.000Z';
      const applied = await store.applyPullPage(pullPage([card()], 9), { syncedAt, counts: true });
      expect(transactions).toHaveBeenCalledTimes(1);
      expect(applied.counts).toMatchObject({ pending: 1, cursor: 9, lastSyncAt: syncedAt });
      expect(applied.counts).toEqual(await store.counts());
    });

    it('never moves the cursor backwards', async () => {
      const store = await stores.open();
      await store.applyPullPage(pullPage([], 10));
      expect((await store.applyPullPage(pullPage([], 5))).cursor).toBe(10);
      expect(await store.getMeta('cursor')).toBe(10);
    });

    it('writes the cursor in the same transaction as the records: a failed page moves neither', async () => {
      const store = await stores.open();
      const good = card();
      const broken = { ...card(), id: undefined } as unknown as Envelope;
      await expect(store.applyPullPage(pullPage([good, broken], 99))).rejects.toThrow();
      expect(await store.get('cards', good.id)).toBeUndefined();
      expect(await store.getMeta('cursor')).toBe(undefined);
    });

    it('keeps a record purged here while its purge is pending, though it was restored elsewhere', async () => {
      const store = await stores.open();
      const a = card({}, { deleted: true });
      await store.applyPullPage(pullPage([a], 1));
      await store.purge('cards', a.id);
      expect(await store.get('cards', a.id)).toBeUndefined();
      await store.applyPullPage(pullPage([{ ...a, version: 2, deleted: false }], 2));
      expect(await store.get('cards', a.id)).toBeUndefined();
    });

    it('brings a record back when the server’s copy comes back to life (a view’s settings made again)', async () => {
      const store = await stores.open();
      const a = card({}, { deleted: true, purged: true, fields: {} });
      await store.applyPullPage(pullPage([a], 1));
      expect(await store.get('cards', a.id)).toBeUndefined();
      await store.applyPullPage(
        pullPage([{ ...a, version: 2, deleted: false, purged: undefined, fields: noteFields() }], 2),
      );
      expect(await store.get('cards', a.id)).toMatchObject({ deleted: false, version: 2 });
    });
  });

  describe('reading only what is stored', () => {
    /** A card with an id of our choosing, so tests control where it falls in the key order. */
    function cardAt(position: number, title: string): Envelope {
      const id = `01900000-0000-7000-8000-${String(position).padStart(12, '0')}`;
      return envelope({ id, workspaceId, fields: noteFields({ title }) });
    }

    /** Stores `positions` as pulled cards, then makes a pending edit on the card at `edited`. */
    async function storeWithEdit(positions: number[], edited: number) {
      const store = await stores.open();
      await store.applyPullPage(
        pullPage(
          positions.map((position) => cardAt(position, 'server')),
          1,
        ),
      );
      await store.commit({ op: 'update', table: 'cards', id: cardAt(edited, '').id, fields: { title: 'mine' } });
      return store;
    }

    it('keeps a pending edit of a stored record among new ones', async () => {
      const store = await storeWithEdit([5], 5);
      const page = [1, 2, 3, 4, 6, 7, 8].map((position) => cardAt(position, 'new'));
      await store.applyPullPage(pullPage([...page, { ...cardAt(5, 'theirs'), version: 2 }], 2));
      expect(await store.get('cards', cardAt(5, '').id)).toMatchObject({
        version: 2,
        pending: true,
        fields: noteFields({ title: 'mine' }),
      });
      expect((await store.list('cards')).length).toBe(8);
    });

    it('keeps a pending edit when the page spans more stored records than it lists', async () => {
      // 30 stored cards lie between the page's two keys: more than the listing takes for a page of 2.
      const stored = Array.from({ length: 30 }, (_, index) => index + 10);
      const store = await storeWithEdit(stored, 39);
      await store.applyPullPage(pullPage([cardAt(1, 'new'), { ...cardAt(39, 'theirs'), version: 2 }], 2));
      expect(await store.get('cards', cardAt(39, '').id)).toMatchObject({
        version: 2,
        pending: true,
        fields: noteFields({ title: 'mine' }),
      });
      expect(await store.get('cards', cardAt(1, '').id)).toMatchObject({ version: 1 });
    });

    it('skips a stale change to a stored record among new ones', async () => {
      const store = await stores.open();
      await store.applyPullPage(pullPage([{ ...cardAt(5, 'v3'), version: 3 }], 1));
      const applied = await store.applyPullPage(pullPage([cardAt(4, 'new'), cardAt(5, 'v1'), cardAt(6, 'new')], 2));
      expect(applied.changed.map((ref) => ref.id)).toEqual([cardAt(4, '').id, cardAt(6, '').id]);
      expect(await store.get('cards', cardAt(5, '').id)).toMatchObject({ version: 3 });
    });
  });

  describe('fromElsewhere', () => {
    it('does not count the echo of our own acknowledged write', async () => {
      const store = await stores.open();
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await store.nextBatch(10, 1_000_000);
      const record = envelope({ id: view.id, workspaceId, fields: noteFields() });
      const stamp = { version: 1, seq: record.seq, deleted: false, updatedAt: record.updatedAt };
      await store.applyPushResults(
        batch!,
        pushResponse([{ seq: 1, id: batch!.mutations[0].id, status: 'applied', fromVersion: 0, stamp }]),
      );
      expect(await store.applyPullPage(pullPage([record], 5))).toEqual({
        changed: [],
        views: [],
        fromElsewhere: 0,
        fromOtherDevices: [],
        cursor: 5,
        counts: null,
      });
    });

    it('does not count our own write pulled before its acknowledgement', async () => {
      const store = await stores.open();
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const record = envelope({ id: view.id, workspaceId, fields: noteFields() });
      const applied = await store.applyPullPage(pullPage([record], 5));
      expect(applied).toEqual({
        changed: [{ table: 'cards', id: view.id }],
        views: [{ ...view, version: 1, pending: true }],
        fromElsewhere: 0,
        fromOtherDevices: [],
        cursor: 5,
        counts: null,
      });
      expect(await store.get('cards', view.id)).toMatchObject({ version: 1, pending: true });
    });

    it("counts someone else's change to a record we have", async () => {
      const store = await stores.open();
      const a = card();
      await store.applyPullPage(pullPage([a], 1));
      const applied = await store.applyPullPage(
        pullPage([{ ...a, version: 2, fields: noteFields({ title: 'x' }) }], 2),
      );
      expect(applied.fromElsewhere).toBe(1);
      expect(applied.fromOtherDevices).toEqual([{ table: 'cards', id: a.id }]);
    });

    it('does not count a link preview the server filled as a change from another device', async () => {
      const store = await stores.open();
      const a = card();
      await store.applyPullPage(pullPage([a], 1));
      const metadata = { status: 'ok', fetchedAt: a.updatedAt, canonicalUrl: null, publishedAt: null, error: null };
      const applied = await store.applyPullPage(
        pullPage([{ ...a, version: 2, fields: { ...a.fields, siteName: 'Example', metadata } }], 2),
      );
      expect(applied.fromElsewhere).toBe(1);
      expect(applied.fromOtherDevices).toEqual([]);
    });
  });
});

describe('applyPullPages', () => {
  it('applies pages in order, one transaction each, ending at the last cursor', async () => {
    const store = await stores.open();
    const pages = [0, 1, 2].map((page) =>
      pullPage(
        Array.from({ length: 50 }, () => card({ title: `page ${page}` })),
        (page + 1) * 50,
        page < 2,
      ),
    );
    expect(await applyPullPages(store, pages)).toEqual({ changes: 150, cursor: 150 });
    expect(await store.list('cards')).toHaveLength(150);
    expect(await store.getMeta('cursor')).toBe(150);
  });
});

describe('resync', () => {
  it('beginResync resets the cursor; finishResync removes what the snapshot lacked and nothing pending', async () => {
    const store = await stores.open();
    const [kept, gone, edited, unchanged] = [card(), card(), card(), card()];
    await store.applyPullPage(pullPage([kept, gone, edited, unchanged], 50));
    await store.commit({ op: 'update', table: 'cards', id: edited.id, fields: { title: 'pending' } });
    const local = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });

    await store.beginResync();
    expect(await store.getMeta('cursor')).toBe(0);
    await store.applyPullPage(pullPage([{ ...kept, version: 2 }], 60, true));
    await store.applyPullPage(pullPage([unchanged], 61));
    const removed = await store.finishResync();

    expect(removed).toEqual([{ table: 'cards', id: gone.id }]);
    expect(await store.get('cards', gone.id)).toBeUndefined();
    expect(await store.get('cards', kept.id)).toMatchObject({ version: 2 });
    expect(await store.get('cards', unchanged.id)).toMatchObject({ version: 1 });
    expect(await store.get('cards', edited.id)).toMatchObject({ pending: true });
    expect(await store.get('cards', local.id)).toMatchObject({ pending: true });
  });

  it('keeps a record with an unresolved conflict', async () => {
    const store = await stores.open();
    const a = card({ title: 'server' });
    await store.applyPullPage(pullPage([a], 1));
    await store.commit({ op: 'update', table: 'cards', id: a.id, fields: { title: 'mine' } });
    const batch = await store.nextBatch(10, 1_000_000);
    await store.applyPushResults(
      batch!,
      pushResponse([
        {
          seq: 1,
          id: batch!.mutations[0].id,
          status: 'conflict',
          code: 'field-conflict',
          conflicts: [{ field: 'title', server: 'theirs' }],
          fromVersion: 2,
          stamp: { version: 2, seq: 2, deleted: false, updatedAt: a.updatedAt },
        },
      ]),
    );
    await store.beginResync();
    expect(await store.finishResync()).toEqual([]);
    expect(await store.get('cards', a.id)).toMatchObject({ conflict: true, fields: noteFields({ title: 'mine' }) });
  });
});
