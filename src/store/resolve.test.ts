import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConflictResult, type Envelope, newId, type Problem } from '../../protocol/index.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { envelope, noteFields, pullPage, pushResponse, storeOpener } from './store-fixtures.test-helper.ts';
import type { LocalStore } from './types.ts';

const workspaceId = newId();
const stores = storeOpener();
afterEach(() => stores.closeAll());

/** Sends everything pending and answers its first mutation with `conflict`; the conflict's id. */
async function answerWithConflict(store: LocalStore, conflict: Omit<ConflictResult, 'seq' | 'id'>): Promise<string> {
  const batch = await store.nextBatch(10, 1_000_000);
  const { seq, id } = batch!.mutations[0];
  await store.applyPushResults(batch!, pushResponse([{ seq, id, ...conflict }]));
  return id;
}

function stampOf(record: Envelope) {
  return { version: record.version, seq: record.seq, deleted: record.deleted, updatedAt: record.updatedAt };
}

/**
 * A card at server version 1, edited to "Mine" (and pinned) here while another device made it
 * "Theirs" (v2, pulled here before the answer): the pin applies (v3), the title conflicts.
 */
async function fieldConflict() {
  const store = await stores.open();
  const server = envelope({ id: newId(), workspaceId, fields: noteFields({ title: 'Server' }) });
  await store.applyPullPage(pullPage([server], 1));
  await store.commit({ op: 'update', table: 'cards', id: server.id, fields: { title: 'Mine', pinned: true } });
  const theirs = { ...server, version: 2, seq: 2, fields: noteFields({ title: 'Theirs' }) };
  await store.applyPullPage(pullPage([theirs], 2));
  const conflictId = await answerWithConflict(store, {
    status: 'conflict',
    code: 'field-conflict',
    conflicts: [{ field: 'title', server: 'Theirs' }],
    fromVersion: 2,
    stamp: { ...stampOf(theirs), version: 3, seq: 3 },
  });
  return { store, id: server.id, conflictId };
}

/** An edit here of a card another device deleted (or, `purged`, deleted for good). */
async function deletedConflict(purged = false) {
  const store = await stores.open();
  const server = envelope({ id: newId(), workspaceId, fields: noteFields({ title: 'Server' }) });
  await store.applyPullPage(pullPage([server], 1));
  await store.commit({ op: 'update', table: 'cards', id: server.id, fields: { title: 'Mine' } });
  const erased = purged ? { purged: true as const, fields: {} } : {};
  const tombstone = { ...server, version: 2, seq: 2, deleted: true, ...erased };
  await store.applyPullPage(pullPage([tombstone], 2));
  const conflictId = await answerWithConflict(store, {
    status: 'conflict',
    code: 'deleted',
    fromVersion: 2,
    stamp: stampOf(tombstone),
  });
  return { store, id: server.id, conflictId };
}

async function duplicateUrlConflict() {
  const store = await stores.open();
  const url = 'https://example.com/x';
  const mine = await store.commit({
    op: 'create',
    table: 'cards',
    workspaceId,
    fields: noteFields({ kind: 'link', url, title: 'My title' }),
  });
  const existing = envelope({ id: newId(), workspaceId, version: 3, fields: noteFields({ kind: 'link', url }) });
  await store.applyPullPage(pullPage([existing], 3));
  const conflictId = await answerWithConflict(store, {
    status: 'conflict',
    code: 'duplicate-url',
    existingId: existing.id,
  });
  return { store, mineId: mine.id, existingId: existing.id, conflictId };
}

const invalidField: Problem = {
  type: '/docs/problems#invalid-field',
  title: 'Invalid field',
  status: 422,
  detail: 'title too long',
  code: 'invalid-field',
  errors: [{ pointer: '/mutations/0/fields/title', detail: 'too long' }],
};

describe('resolveConflict', () => {
  describe('field-conflict', () => {
    it('keep mine: a new update with my values on top of the server version', async () => {
      const { store, id, conflictId } = await fieldConflict();
      const refs = await store.resolveConflict(conflictId, { keep: 'mine' });
      expect(refs).toEqual([{ table: 'cards', id }]);
      expect(await store.conflictEntries()).toEqual([]);
      expect(await store.pendingEntries()).toMatchObject([{ op: 'update', baseVersion: 3, fields: { title: 'Mine' } }]);
      expect(await store.get('cards', id)).toMatchObject({
        conflict: false,
        pending: true,
        fields: noteFields({ title: 'Mine', pinned: true }),
      });
    });

    it('keep theirs: the overlay goes and nothing is sent', async () => {
      const { store, id, conflictId } = await fieldConflict();
      await store.resolveConflict(conflictId, { keep: 'theirs' });
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', id)).toMatchObject({
        conflict: false,
        pending: false,
        fields: noteFields({ title: 'Theirs', pinned: true }),
      });
    });

    it('merged: an update with the merged fields', async () => {
      const { store, id, conflictId } = await fieldConflict();
      await store.resolveConflict(conflictId, { merged: { title: 'Mine and theirs' } });
      expect(await store.pendingEntries()).toMatchObject([{ op: 'update', fields: { title: 'Mine and theirs' } }]);
      expect((await store.get('cards', id))?.fields.title).toBe('Mine and theirs');
    });

    it('an invalid merge changes nothing', async () => {
      const { store, id, conflictId } = await fieldConflict();
      await expect(store.resolveConflict(conflictId, { merged: { title: 7 } })).rejects.toBeInstanceOf(ValidationError);
      expect(await store.conflictEntries()).toHaveLength(1);
      expect(await store.get('cards', id)).toMatchObject({ conflict: true, fields: { title: 'Mine' } });
    });

    it('an unknown conflict is a NotFoundError', async () => {
      const store = await stores.open();
      await expect(store.resolveConflict(newId(), { keep: 'mine' })).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('deleted', () => {
    it('keep mine: a restore with my fields', async () => {
      const { store, id, conflictId } = await deletedConflict();
      await store.resolveConflict(conflictId, { keep: 'mine' });
      expect(await store.pendingEntries()).toMatchObject([
        { op: 'restore', baseVersion: 2, fields: { title: 'Mine' } },
      ]);
      expect(await store.get('cards', id)).toMatchObject({
        deleted: false,
        conflict: false,
        fields: { title: 'Mine' },
      });
    });

    it('keep theirs: the deletion stands', async () => {
      const { store, id, conflictId } = await deletedConflict();
      await store.resolveConflict(conflictId, { keep: 'theirs' });
      expect(await store.pendingEntries()).toEqual([]);
      expect(await store.get('cards', id)).toMatchObject({ deleted: true, conflict: false });
    });

    it('of a card purged elsewhere: hidden; mine is refused with the reason (the conflict stays), theirs drops it', async () => {
      const { store, id, conflictId } = await deletedConflict(true);
      // Hidden (a card of a few fields would be no card); the conflict keeps what was written.
      expect(await store.get('cards', id)).toBeUndefined();
      expect(await store.conflictEntries()).toMatchObject([{ mine: { title: 'Mine' }, theirs: { purged: true } }]);
      await expect(store.resolveConflict(conflictId, { keep: 'mine' })).rejects.toThrow(/deleted for good/);
      expect(await store.conflictEntries()).toHaveLength(1);
      await store.resolveConflict(conflictId, { keep: 'theirs' });
      expect(await store.get('cards', id)).toBeUndefined();
      expect(await store.pendingEntries()).toEqual([]);
    });
  });

  describe('duplicate-url', () => {
    it('keep theirs: my local duplicate goes away', async () => {
      const { store, mineId, existingId, conflictId } = await duplicateUrlConflict();
      await store.resolveConflict(conflictId, { keep: 'theirs' });
      expect(await store.get('cards', mineId)).toBeUndefined();
      expect(await store.get('cards', existingId)).toMatchObject({ version: 3, pending: false });
      expect(await store.pendingEntries()).toEqual([]);
    });

    it('keep mine: my values go to the existing card and my duplicate goes away', async () => {
      const { store, mineId, existingId, conflictId } = await duplicateUrlConflict();
      const refs = await store.resolveConflict(conflictId, { keep: 'mine' });
      expect(refs).toEqual([
        { table: 'cards', id: mineId },
        { table: 'cards', id: existingId },
      ]);
      expect(await store.get('cards', mineId)).toBeUndefined();
      expect(await store.pendingEntries()).toMatchObject([
        { op: 'update', recordId: existingId, baseVersion: 3, fields: { title: 'My title' } },
      ]);
    });
  });
});

describe('failed mutations', () => {
  async function rejectedCreate() {
    const store = await stores.open();
    const view = await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields({ title: 'x' }) });
    const batch = await store.nextBatch(10, 1_000_000);
    const { seq, id } = batch!.mutations[0];
    await store.applyPushResults(batch!, pushResponse([{ seq, id, status: 'rejected', error: invalidField }]));
    return { store, recordId: view.id, failedId: id };
  }

  it('retry commits the failed change again with corrections, as a new entry', async () => {
    const { store, recordId, failedId } = await rejectedCreate();
    const refs = await store.retryFailed(failedId, { title: 'Shorter' });
    expect(refs).toEqual([{ table: 'cards', id: recordId }]);
    expect(await store.failedEntries()).toEqual([]);
    const [entry] = await store.pendingEntries();
    expect(entry).toMatchObject({ key: 2, op: 'create', recordId, fields: noteFields({ title: 'Shorter' }) });
    expect(entry.id).not.toBe(failedId);
    expect(await store.get('cards', recordId)).toMatchObject({ pending: true, fields: { title: 'Shorter' } });
  });

  it('a retry that does not validate keeps the failure and writes nothing', async () => {
    const { store, recordId, failedId } = await rejectedCreate();
    await expect(store.retryFailed(failedId, { title: 42 })).rejects.toBeInstanceOf(ValidationError);
    expect(await store.failedEntries()).toHaveLength(1);
    expect(await store.pendingEntries()).toEqual([]);
    expect(await store.get('cards', recordId)).toBeUndefined();
  });

  it('discard drops the failure', async () => {
    const { store, recordId, failedId } = await rejectedCreate();
    expect(await store.discardFailed(failedId)).toEqual([{ table: 'cards', id: recordId }]);
    expect(await store.failedEntries()).toEqual([]);
    expect((await store.counts()).failed).toBe(0);
    await expect(store.discardFailed(failedId)).rejects.toBeInstanceOf(NotFoundError);
  });
});
