import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Envelope,
  type MutationResult,
  newId,
  type OriginalOutcome,
  type Problem,
  type RecordStamp,
} from '../../protocol/index.ts';
import { envelope, noteFields, pullPage, pushResponse, storeOpener } from './store-fixtures.test-helper.ts';
import type { LocalStore, OutboxBatch, RecordView } from './types.ts';

const workspaceId = newId();
const stores = storeOpener();
afterEach(() => {
  stores.closeAll();
  vi.restoreAllMocks();
});

/** Takes every pending entry as one sent batch. */
async function sendAll(store: LocalStore): Promise<OutboxBatch> {
  return (await store.nextBatch(100, 1_000_000))!;
}

/** A store holding one card the server has at version 1, edited locally. */
async function storeWithEditedCard(edit: Record<string, unknown>) {
  const store = await stores.open();
  const server = envelope({ id: newId(), workspaceId, fields: noteFields({ title: 'Server' }) });
  await store.applyPullPage(pullPage([server], 10));
  await store.commit({ op: 'update', table: 'cards', id: server.id, fields: edit });
  return { store, server };
}

/** A result without its seq and id (distributed over the result kinds). */
type ResultBody = MutationResult extends infer R ? (R extends MutationResult ? Omit<R, 'seq' | 'id'> : never) : never;

function answer(batch: OutboxBatch, result: ResultBody, index = 0): MutationResult {
  return { seq: batch.mutations[index].seq, id: batch.mutations[index].id, ...result } as MutationResult;
}

const AT = '2026-02-01T00:00:00.000Z';

/** Where a result leaves its record: version `version` at change `seq`. */
function stamp(version: number, seq = 100 + version, deleted = false): RecordStamp {
  return { version, seq, deleted, updatedAt: AT };
}

/** An applied result: the record went from `fromVersion` to `version` (at change `seq`). */
function applied(fromVersion: number, version = fromVersion + 1, seq?: number): ResultBody {
  return { status: 'applied', fromVersion, stamp: stamp(version, seq) };
}

const notFound: Problem = {
  type: '/docs/problems#not-found',
  title: 'Not found',
  status: 404,
  detail: 'gone',
  code: 'not-found',
};

describe('applyPushResults', () => {
  describe('applied', () => {
    it('deletes the entry, takes what it sent as the server copy of a create and stores lastSyncAt', async () => {
      const store = await stores.open();
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await sendAll(store);
      const { changed: refs } = await store.applyPushResults(batch, pushResponse([answer(batch, applied(0))]));
      expect(refs).toEqual([{ table: 'cards', id: view.id }]);
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', view.id)).toMatchObject({
        version: 1,
        pending: false,
        conflict: false,
        fields: noteFields(),
      });
      expect(await store.getMeta('lastSyncAt')).toBeTypeOf('string');
    });

    it('reads the records a batch created with one range request', async () => {
      const store = await stores.open();
      const views = [];
      for (let i = 0; i < 5; i++)
        views.push(await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() }));
      const batch = await sendAll(store);
      const results = views.map((_, index) => answer(batch, applied(0), index));
      const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
      await store.applyPushResults(batch, pushResponse(results));
      const recordGets = gets.mock.contexts.filter((context) => (context as IDBObjectStore).name === 'records');
      expect(recordGets).toHaveLength(0);
      expect(await store.list('cards')).toMatchObject(views.map(() => ({ version: 1, pending: false })));
    });

    it('gives the records it raised to a newer version as now stored; the others by id only', async () => {
      const store = await stores.open();
      const [kept, refused] = [
        await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() }),
        await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() }),
      ];
      const batch = await sendAll(store);
      await store.commit({ op: 'update', table: 'cards', id: kept.id, fields: { title: 'Later' } });
      const response = pushResponse([
        answer(batch, applied(0)),
        answer(batch, { status: 'rejected', error: notFound }, 1),
      ]);
      const stored = await store.applyPushResults(batch, response);
      expect(stored.changed).toEqual([
        { table: 'cards', id: kept.id },
        { table: 'cards', id: refused.id },
      ]);
      expect(stored.views).toEqual([await store.get('cards', kept.id)]);
      expect(stored.views[0]).toMatchObject({ version: 1, pending: true, fields: { title: 'Later' } });
    });

    it('with `counts`, reads the counts after its writes, in the same transaction', async () => {
      const store = await stores.open();
      for (let i = 0; i < 2; i++)
        await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await sendAll(store);
      await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const response = pushResponse(
        [
          answer(batch, applied(0)),
          answer(batch, { status: 'conflict', code: 'exists', fromVersion: 2, stamp: stamp(2) }, 1),
        ],
        7,
      );
      const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction');
      const { counts } = await store.applyPushResults(batch, response, { counts: true });
      expect(transactions).toHaveBeenCalledTimes(1);
      expect(counts).toMatchObject({ pending: 1, conflicts: 1, failed: 0 });
      expect(counts).toEqual(await store.counts());
    });

    it('without `counts` reads none', async () => {
      const store = await stores.open();
      await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await sendAll(store);
      await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const stored = await store.applyPushResults(batch, pushResponse([answer(batch, applied(0))]));
      expect(stored.counts).toBeNull();
      expect(await store.pendingEntries()).toHaveLength(1);
    });

    it('rebases edits made after sending onto the acknowledged record', async () => {
      const store = await stores.open();
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await sendAll(store);
      await store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'Later' } });
      await store.applyPushResults(batch, pushResponse([answer(batch, applied(0))]));
      expect(await store.get('cards', view.id)).toMatchObject({
        version: 1,
        pending: true,
        fields: noteFields({ title: 'Later' }),
      });
    });

    it('never takes a server copy older than the local one', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine' });
      const batch = await sendAll(store);
      await store.applyPullPage(pullPage([{ ...server, version: 3, fields: noteFields({ title: 'v3' }) }], 20));
      await store.applyPushResults(batch, pushResponse([answer(batch, applied(1, 2))]));
      expect(await store.get('cards', server.id)).toMatchObject({ version: 3, fields: noteFields({ title: 'v3' }) });
    });

    it('skips results whose entry is already gone', async () => {
      const store = await stores.open();
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await sendAll(store);
      const response = pushResponse([answer(batch, applied(0))]);
      await store.applyPushResults(batch, response);
      expect((await store.applyPushResults(batch, response)).changed).toEqual([]);
      expect(await store.get('cards', view.id)).toMatchObject({ version: 1 });
    });

    it('a record write that fails after it was issued fails the whole transaction: the entry stays', async () => {
      const store = await stores.open();
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await sendAll(store);
      const put = IDBObjectStore.prototype.put;
      vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
        // `add` of a stored key: the request fails with a ConstraintError once it runs.
        return this.name === 'records' ? this.add(...args) : put.apply(this, args);
      });
      await expect(store.applyPushResults(batch, pushResponse([answer(batch, applied(0))]))).rejects.toThrow();
      vi.restoreAllMocks();
      expect((await store.pendingEntries()).map((entry) => entry.recordId)).toEqual([view.id]);
      expect(await store.get('cards', view.id)).toMatchObject({ version: 0, pending: true });
      expect(await store.getMeta('lastSyncAt')).toBeUndefined();
    });
  });

  describe('a batch of several', () => {
    it('keeps the entries the response does not answer', async () => {
      const store = await stores.open();
      const views: RecordView[] = [];
      for (const title of ['a', 'b', 'c']) {
        views.push(await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields({ title }) }));
      }
      const batch = await sendAll(store);
      const created = (index: number) => answer(batch, applied(0), index);
      await store.applyPushResults(batch, pushResponse([created(0), created(2)]));
      expect((await store.pendingEntries()).map((entry) => entry.recordId)).toEqual([views[1].id]);
      expect(await store.get('cards', views[1].id)).toMatchObject({ pending: true, version: 0 });
      expect(await store.get('cards', views[2].id)).toMatchObject({ pending: false, version: 1 });
    });

    it('two acknowledged entries of a record and a later unsent edit: still pending, rebased', async () => {
      const store = await stores.open();
      const first = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields({ title: 'other' }) });
      await store.commit({ op: 'update', table: 'cards', id: first.id, fields: { title: 'Second' } });
      const batch = await sendAll(store);
      await store.commit({ op: 'update', table: 'cards', id: first.id, fields: { content: 'later' } });
      await store.applyPushResults(
        batch,
        pushResponse([answer(batch, applied(0), 0), answer(batch, applied(0), 1), answer(batch, applied(1), 2)]),
      );
      expect((await store.pendingEntries()).map((entry) => entry.fields)).toEqual([{ content: 'later' }]);
      expect(await store.get('cards', first.id)).toMatchObject({
        version: 2,
        pending: true,
        fields: noteFields({ title: 'Second', content: 'later' }),
      });
    });
  });

  describe('the pull cursor', () => {
    /** A store at cursor 10 with two new cards sent, and the results the server gives them. */
    async function sentTwo() {
      const store = await stores.open();
      await store.applyPullPage(pullPage([], 10));
      for (const title of ['a', 'b']) {
        await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields({ title }) });
      }
      const batch = await sendAll(store);
      const created = (index: number, seq: number) => answer(batch, applied(0, 1, seq), index);
      return { store, batch, created };
    }

    it('moves to the server cursor when the results are every change since it', async () => {
      const { store, batch, created } = await sentTwo();
      await store.applyPushResults(batch, { ...pushResponse([created(0, 11), created(1, 12)]), cursor: 12 });
      expect(await store.getMeta('cursor')).toBe(12);
    });

    it('stays when someone else wrote in between, so the pull fetches it', async () => {
      const { store, batch, created } = await sentTwo();
      await store.applyPushResults(batch, { ...pushResponse([created(0, 11), created(1, 13)]), cursor: 13 });
      expect(await store.getMeta('cursor')).toBe(10);
    });

    it('stays when a result does not prove the record it names: the pull brings that record', async () => {
      const store = await stores.open();
      const server = envelope({ id: newId(), workspaceId, seq: 10 });
      await store.applyPullPage(pullPage([server], 10));
      await store.commit({ op: 'update', table: 'cards', id: server.id, fields: { title: 'Mine' } });
      const batch = await sendAll(store);
      // Version 2 was someone else's (seq 11, not pulled yet); this edit made version 3.
      await store.applyPushResults(batch, { ...pushResponse([answer(batch, applied(2, 3, 12))]), cursor: 12 });
      expect(await store.getMeta('cursor')).toBe(10);
    });
  });

  describe('in parts (`perTransaction`)', () => {
    /** A store at cursor 10 with five new cards sent, one committed after, and the results (seqs 11 to 15). */
    async function sentFive() {
      const store = await stores.open();
      await store.applyPullPage(pullPage([], 10));
      for (const title of ['a', 'b', 'c', 'd', 'e']) {
        await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields({ title }) });
      }
      const batch = await sendAll(store);
      const later = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const results = batch.mutations.map((_, index) => answer(batch, applied(0, 1, 11 + index), index));
      return { store, batch, later, response: { ...pushResponse(results), cursor: 15 } };
    }

    it('a transaction per part, together storing what one would: the cursor checked over every part', async () => {
      const { store, batch, later, response } = await sentFive();
      const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction');
      const stored = await store.applyPushResults(batch, response, { counts: true, perTransaction: 2 });
      expect(transactions).toHaveBeenCalledTimes(3);
      const ids = batch.mutations.map((mutation) => mutation.recordId);
      expect(stored.changed.map((ref) => ref.id)).toEqual(ids);
      expect(stored.views.map((view) => [view.id, view.version, view.pending])).toEqual(
        ids.map((id) => [id, 1, false]),
      );
      expect(stored.cursor).toBe(15);
      expect(await store.getMeta('cursor')).toBe(15);
      expect(stored.counts).toEqual(await store.counts());
      expect((await store.pendingEntries()).map((entry) => entry.recordId)).toEqual([later.id]);
    });

    it('awaits `pause` before each part opens its transaction', async () => {
      const { store, batch, response } = await sentFive();
      const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction');
      const openedAtEachPause: number[] = [];
      const pause = async () => {
        openedAtEachPause.push(transactions.mock.calls.length);
      };
      await store.applyPushResults(batch, response, { perTransaction: 2, pause });
      expect([openedAtEachPause, transactions.mock.calls.length]).toEqual([[0, 1, 2], 3]);
      vi.restoreAllMocks();
    });

    it('results out of the request order settle only where they match: the other entries stay, to be sent again', async () => {
      const { store, batch, response } = await sentFive();
      const [a, b, c, d, e] = response.results;
      await store.applyPushResults(batch, { ...response, results: [b, a, c, e, d] }, { perTransaction: 2 });
      const pending = (await store.pendingEntries()).map((entry) => entry.recordId);
      expect(pending).toEqual([...[3, 4].map((index) => batch.mutations[index].recordId), expect.any(String)]);
      expect(await store.get('cards', batch.mutations[0].recordId)).toMatchObject({ pending: false, version: 1 });
      expect(await store.getMeta('cursor')).toBe(10);
    });

    it('a part that fails keeps the parts before it; its entries, sent again, settle as duplicates', async () => {
      const { store, batch, response } = await sentFive();
      const open = IDBDatabase.prototype.transaction;
      let opened = 0;
      vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
        const tx = open.apply(this, args);
        // Aborted once its first requests are issued, as a crash or a quota error would.
        if (++opened === 3) queueMicrotask(() => tx.abort());
        return tx;
      });
      await expect(store.applyPushResults(batch, response, { perTransaction: 2 })).rejects.toThrow();
      vi.restoreAllMocks();
      const left = batch.mutations.slice(4).map((mutation) => mutation.recordId);
      expect((await store.pendingEntries()).map((entry) => entry.recordId).slice(0, 1)).toEqual(left);
      expect(await store.get('cards', batch.mutations[3].recordId)).toMatchObject({ pending: false, version: 1 });
      expect(await store.get('cards', left[0])).toMatchObject({ pending: true, version: 0 });
      expect(await store.getMeta('cursor')).toBe(10);
      expect(await store.getMeta('lastSyncAt')).toBeUndefined();

      const again = (await store.nextBatch(1, 1_000_000))!;
      expect(again.entries.map((entry) => entry.recordId)).toEqual(left);
      await store.applyPushResults(again, pushResponse([answer(again, { status: 'duplicate', stamp: stamp(1, 15) })]));
      expect(await store.get('cards', left[0])).toMatchObject({ pending: false, version: 1 });
    });
  });

  describe('duplicate', () => {
    it('with a stamp this store already holds: deletes the entry, the record as it is', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine' });
      const batch = await sendAll(store);
      await store.applyPullPage(pullPage([{ ...server, version: 2, fields: noteFields({ title: 'Mine' }) }], 20));
      await store.applyPushResults(batch, pushResponse([answer(batch, { status: 'duplicate', stamp: stamp(2) })]));
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', server.id)).toMatchObject({
        version: 2,
        pending: false,
        fields: { title: 'Mine' },
      });
    });

    it('with a newer stamp: keeps showing the edit at the version it has, and leaves the cursor for the pull', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine' });
      const batch = await sendAll(store);
      await store.applyPushResults(batch, {
        ...pushResponse([answer(batch, { status: 'duplicate', stamp: stamp(2, 12) })]),
        cursor: 12,
      });
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', server.id)).toMatchObject({
        version: 1,
        pending: false,
        fields: { title: 'Mine' },
      });
      expect(await store.getMeta('cursor')).toBe(10);
    });

    it('a create at version 1 with no first answer kept: that create, taken as the server copy', async () => {
      const store = await stores.open();
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await sendAll(store);
      await store.applyPushResults(batch, pushResponse([answer(batch, { status: 'duplicate', stamp: stamp(1) })]));
      expect(await store.get('cards', view.id)).toMatchObject({ version: 1, pending: false, fields: noteFields() });
    });

    it('without a stamp: deletes the entry only; an unknown created record goes away', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine' });
      const created = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await sendAll(store);
      await store.applyPushResults(
        batch,
        pushResponse([answer(batch, { status: 'duplicate' }, 0), answer(batch, { status: 'duplicate' }, 1)]),
      );
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', server.id)).toMatchObject({ version: 1, pending: false });
      expect(await store.get('cards', created.id)).toBeUndefined();
    });
  });

  describe('a delete the server never stored (its version 0 tombstone)', () => {
    /** The answer to the delete of an id the server does not have: a tombstone that was never stored. */
    const neverStored: ResultBody = { status: 'applied', fromVersion: 0, stamp: stamp(0, 0, true) };

    it('a record created here whose create was refused goes away with its delete', async () => {
      const store = await stores.open();
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      await store.commit({ op: 'delete', table: 'cards', id: view.id });
      const batch = await sendAll(store);
      await store.applyPushResults(
        batch,
        pushResponse([answer(batch, { status: 'rejected', error: notFound }, 0), answer(batch, neverStored, 1)]),
      );
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', view.id)).toBeUndefined();
      expect((await store.failedEntries()).map((entry) => entry.op)).toEqual(['create']);
    });

    it('a server copy this user can no longer see goes away', async () => {
      const store = await stores.open();
      const server = envelope({ id: newId(), workspaceId, fields: noteFields() });
      await store.applyPullPage(pullPage([server], 10));
      await store.commit({ op: 'delete', table: 'cards', id: server.id });
      const batch = await sendAll(store);
      await store.applyPushResults(batch, pushResponse([answer(batch, neverStored)]));
      expect(await store.get('cards', server.id)).toBeUndefined();
    });
  });

  describe('duplicate carrying the original answer (the first answer was lost)', () => {
    /** The same edit of the same server card in two stores: one gets the direct answer, the other the resent one. */
    async function answeredBothWays(
      edit: Record<string, unknown>,
      answers: (server: Envelope) => { direct: ResultBody; resent: ResultBody },
    ) {
      const server = envelope({ id: newId(), workspaceId, fields: noteFields({ title: 'Server' }) });
      const { direct, resent } = answers(server);
      const outcomes = [];
      for (const result of [direct, resent]) {
        const store = await stores.open();
        await store.applyPullPage(pullPage([server], 10));
        await store.commit({ op: 'update', table: 'cards', id: server.id, fields: edit });
        const batch = await sendAll(store);
        const { changed: refs } = await store.applyPushResults(batch, pushResponse([answer(batch, result)]));
        const withoutIdAndTime = ({ id: _id, at: _at, ...rest }: { id: string; at: string }) => rest;
        const { lastSyncAt: _syncedAt, ...counts } = await store.counts();
        outcomes.push({
          refs,
          record: await store.get('cards', server.id),
          pending: await store.pendingEntries(),
          conflicts: (await store.conflictEntries()).map(withoutIdAndTime),
          failed: (await store.failedEntries()).map(withoutIdAndTime),
          counts,
        });
      }
      return { server, direct: outcomes[0], resent: outcomes[1] };
    }

    it('a conflict: the same conflict entry and visible record as the direct answer', async () => {
      const conflicts = [{ field: 'title', omitted: true as const }];
      const original = { status: 'conflict', code: 'field-conflict', conflicts } as const;
      const both = await answeredBothWays({ title: 'Mine' }, () => ({
        direct: { ...original, fromVersion: 2, stamp: stamp(2) },
        resent: { status: 'duplicate', stamp: stamp(2), original },
      }));
      expect(both.resent).toEqual(both.direct);
      expect(both.resent.conflicts).toMatchObject([
        {
          code: 'field-conflict',
          conflicts: [{ field: 'title', client: 'Mine', omitted: true }],
          mine: { title: 'Mine' },
        },
      ]);
      expect(both.resent.record).toMatchObject({ conflict: true, pending: false, fields: { title: 'Mine' } });
      expect(both.resent.counts.conflicts).toBe(1);
    });

    it('a rejection: the same failure and reverted record as the direct answer', async () => {
      const error = { ...notFound, code: 'forbidden', status: 403, detail: 'no' } as Problem;
      const both = await answeredBothWays({ title: 'Mine' }, () => ({
        direct: { status: 'rejected', error },
        resent: { status: 'duplicate', original: { status: 'rejected', error } },
      }));
      expect(both.resent).toEqual(both.direct);
      expect(both.resent.failed).toMatchObject([{ recordId: both.server.id, fields: { title: 'Mine' }, error }]);
      expect(both.resent.record).toMatchObject({ version: 1, pending: false, fields: noteFields({ title: 'Server' }) });
      expect(both.resent.pending).toEqual([]);
    });

    it('a conflict: theirs is the record as this device has it, once pulled; my value stays visible', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine' });
      const batch = await sendAll(store);
      const original: OriginalOutcome = {
        status: 'conflict',
        code: 'field-conflict',
        conflicts: [{ field: 'title', omitted: true }],
      };
      await store.applyPushResults(
        batch,
        pushResponse([answer(batch, { status: 'duplicate', stamp: stamp(3), original })]),
      );
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.conflictEntries()).toMatchObject([
        { conflicts: [{ field: 'title', client: 'Mine', server: 'Server' }], theirs: { version: 1 } },
      ]);
      const current = { ...server, version: 3, fields: noteFields({ title: 'Theirs', content: 'later' }) };
      await store.applyPullPage(pullPage([current], 30));
      expect(await store.conflictEntries()).toMatchObject([
        {
          id: batch.entries[0].id,
          code: 'field-conflict',
          conflicts: [{ field: 'title', client: 'Mine', server: 'Theirs', omitted: true }],
          mine: { title: 'Mine' },
          theirs: current,
        },
      ]);
      expect(await store.get('cards', server.id)).toMatchObject({
        version: 3,
        conflict: true,
        fields: noteFields({ title: 'Mine', content: 'later' }),
      });
    });

    it('a conflict on a record no longer readable: it still shows, against the copy this device has', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine' });
      const batch = await sendAll(store);
      await store.applyPushResults(
        batch,
        pushResponse([answer(batch, { status: 'duplicate', original: { status: 'conflict', code: 'deleted' } })]),
      );
      expect(await store.conflictEntries()).toMatchObject([
        { code: 'deleted', conflicts: [], theirs: { id: server.id, version: 1 } },
      ]);
      expect(await store.get('cards', server.id)).toMatchObject({ conflict: true, fields: { title: 'Mine' } });
    });

    it('duplicate-url: my card stays with my values; theirs is the existing card, once pulled', async () => {
      const store = await stores.open();
      const fields = noteFields({ kind: 'link', url: 'https://example.com/a', title: 'Mine' });
      const mine = await store.commit({ op: 'create', table: 'cards', workspaceId, fields });
      const batch = await sendAll(store);
      const existingId = newId();
      const original = { status: 'conflict', code: 'duplicate-url', existingId } as const;
      await store.applyPushResults(batch, pushResponse([answer(batch, { status: 'duplicate', original })]));
      expect(await store.conflictEntries()).toMatchObject([
        { code: 'duplicate-url', mine: fields, existingId, theirs: null },
      ]);
      expect(await store.get('cards', mine.id)).toMatchObject({ version: 0, conflict: true, pending: false, fields });
      const existing = envelope({ id: existingId, workspaceId, fields: noteFields({ kind: 'link', url: fields.url }) });
      await store.applyPullPage(pullPage([existing], 20));
      expect(await store.conflictEntries()).toMatchObject([{ existingId, theirs: existing }]);
    });

    it('a rejection with a newer stamp: failed, and the record reverts to its server copy until the pull', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine' });
      const batch = await sendAll(store);
      const original = { status: 'rejected', error: notFound } as const;
      await store.applyPushResults(
        batch,
        pushResponse([answer(batch, { status: 'duplicate', stamp: stamp(2), original })]),
      );
      expect(await store.failedEntries()).toMatchObject([{ id: batch.entries[0].id, error: notFound }]);
      expect(await store.get('cards', server.id)).toMatchObject({ version: 1, pending: false, fields: server.fields });
    });

    it('a rejected create with nothing else pending leaves no record, but the failure keeps every field', async () => {
      const store = await stores.open();
      const fields = noteFields({ title: 'Kept' });
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields });
      const batch = await sendAll(store);
      await store.applyPushResults(
        batch,
        pushResponse([answer(batch, { status: 'duplicate', original: { status: 'rejected', error: notFound } })]),
      );
      expect(await store.get('cards', view.id)).toBeUndefined();
      expect(await store.failedEntries()).toMatchObject([{ recordId: view.id, fields, error: notFound }]);
    });
  });

  describe('conflict', () => {
    it('field-conflict: keeps my value for the conflicting field, theirs elsewhere', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine', pinned: true });
      const batch = await sendAll(store);
      const theirs = { ...server, version: 2, seq: 11, fields: noteFields({ title: 'Theirs', content: 'c' }) };
      await store.applyPullPage(pullPage([theirs], 11));
      const conflicts = [{ field: 'title', server: 'Theirs' }];
      const result: ResultBody = {
        status: 'conflict',
        code: 'field-conflict',
        conflicts,
        fromVersion: 2,
        stamp: stamp(3),
      };
      await store.applyPushResults(batch, pushResponse([answer(batch, result)]));
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', server.id)).toMatchObject({
        version: 3,
        pending: false,
        conflict: true,
        fields: noteFields({ title: 'Mine', pinned: true, content: 'c' }),
      });
      const [entry] = await store.conflictEntries();
      expect(entry).toMatchObject({
        id: batch.entries[0].id,
        code: 'field-conflict',
        recordId: server.id,
        mine: { title: 'Mine', pinned: true },
        theirs: { version: 3, fields: noteFields({ title: 'Theirs', pinned: true, content: 'c' }) },
        conflicts: [{ field: 'title', server: 'Theirs', client: 'Mine' }],
      });
      expect((await store.counts()).conflicts).toBe(1);
    });

    it('field-conflict with the server value left out: it is the server copy’s, once this device has it', async () => {
      const { store, server } = await storeWithEditedCard({ content: 'mine' });
      const batch = await sendAll(store);
      const conflicts = [{ field: 'content', omitted: true as const }];
      const result: ResultBody = {
        status: 'conflict',
        code: 'field-conflict',
        conflicts,
        fromVersion: 2,
        stamp: stamp(2),
      };
      await store.applyPushResults(batch, pushResponse([answer(batch, result)]));
      const large = 'x'.repeat(100_000);
      expect((await store.get('cards', server.id))?.fields.content).toBe('mine');
      await store.applyPullPage(pullPage([{ ...server, version: 2, fields: noteFields({ content: large }) }], 20));
      expect((await store.conflictEntries())[0].conflicts).toEqual([
        { field: 'content', client: 'mine', server: large, omitted: true },
      ]);
      expect((await store.get('cards', server.id))?.fields.content).toBe('mine');
    });

    it('deleted: my record stays visible with my values; the pulled tombstone becomes the server copy', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine' });
      const batch = await sendAll(store);
      const result: ResultBody = { status: 'conflict', code: 'deleted', fromVersion: 2, stamp: stamp(2, 12, true) };
      await store.applyPushResults(batch, pushResponse([answer(batch, result)]));
      const mine = { deleted: false, conflict: true, fields: noteFields({ title: 'Mine' }) };
      expect(await store.get('cards', server.id)).toMatchObject({ version: 1, ...mine });
      await store.applyPullPage(pullPage([{ ...server, version: 2, seq: 12, deleted: true }], 12));
      expect(await store.get('cards', server.id)).toMatchObject({ version: 2, ...mine });
    });

    it('exists: their record, once pulled, is the server copy, with my values shown on top', async () => {
      const store = await stores.open();
      const view = await store.commit({
        op: 'create',
        table: 'cards',
        workspaceId,
        fields: noteFields({ title: 'Mine' }),
      });
      const batch = await sendAll(store);
      const result: ResultBody = { status: 'conflict', code: 'exists', fromVersion: 4, stamp: stamp(4) };
      await store.applyPushResults(batch, pushResponse([answer(batch, result)]));
      expect(await store.get('cards', view.id)).toMatchObject({
        version: 0,
        conflict: true,
        fields: { title: 'Mine' },
      });
      const record = envelope({
        id: view.id,
        workspaceId,
        version: 4,
        fields: noteFields({ title: 'Theirs', content: 'x' }),
      });
      await store.applyPullPage(pullPage([record], 20));
      expect(await store.get('cards', view.id)).toMatchObject({
        version: 4,
        conflict: true,
        fields: noteFields({ title: 'Mine', content: '' }),
      });
    });

    it('duplicate-url: my card stays (no server copy); the conflict names the existing card', async () => {
      const store = await stores.open();
      const url = 'https://example.com/a';
      const mine = await store.commit({
        op: 'create',
        table: 'cards',
        workspaceId,
        fields: noteFields({ kind: 'link', url, title: 'Mine' }),
      });
      const batch = await sendAll(store);
      const existingId = newId();
      const { changed: refs } = await store.applyPushResults(
        batch,
        pushResponse([answer(batch, { status: 'conflict', code: 'duplicate-url', existingId })]),
      );
      expect(refs).toEqual([{ table: 'cards', id: mine.id }]);
      expect(await store.get('cards', mine.id)).toMatchObject({ version: 0, conflict: true, pending: false });
      expect(await store.conflictEntries()).toMatchObject([{ code: 'duplicate-url', existingId, theirs: null }]);
    });
  });

  describe('rejected', () => {
    it('moves the entry to failed and reverts the record to the server copy', async () => {
      const { store, server } = await storeWithEditedCard({ title: 'Mine' });
      const batch = await sendAll(store);
      await store.applyPushResults(batch, pushResponse([answer(batch, { status: 'rejected', error: notFound })]));
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', server.id)).toMatchObject({ version: 1, pending: false, fields: server.fields });
      expect(await store.failedEntries()).toMatchObject([
        { id: batch.entries[0].id, op: 'update', recordId: server.id, fields: { title: 'Mine' }, error: notFound },
      ]);
    });

    it('a rejected create with nothing else pending leaves no record, but the failure keeps every field', async () => {
      const store = await stores.open();
      const view = await store.commit({
        op: 'create',
        table: 'cards',
        workspaceId,
        fields: noteFields({ title: 'Kept' }),
      });
      const batch = await sendAll(store);
      await store.applyPushResults(batch, pushResponse([answer(batch, { status: 'rejected', error: notFound })]));
      expect(await store.get('cards', view.id)).toBeUndefined();
      expect((await store.failedEntries())[0].fields).toEqual(noteFields({ title: 'Kept' }));
    });

    it('a rejected create with a later edit pending keeps the record', async () => {
      const store = await stores.open();
      const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() });
      const batch = await sendAll(store);
      await store.commit({ op: 'update', table: 'cards', id: view.id, fields: { title: 'Later' } });
      await store.applyPushResults(batch, pushResponse([answer(batch, { status: 'rejected', error: notFound })]));
      expect(await store.get('cards', view.id)).toMatchObject({ pending: true, fields: { title: 'Later' } });
    });
  });
});
