import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, viewSettingsId } from '../../protocol/index.ts';
import { activateAccount, activeAccount, claimLocalData, localDatabaseName } from './accounts.ts';
import { noteFields, storeOpener, writeMetaOf } from './store-fixtures.test-helper.ts';
import type { LocalStore } from './types.ts';

const stores = storeOpener();
const workspaceId = newId();

// The directory and account databases have fixed names: every test gets a fresh IndexedDB.
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});
afterEach(() => stores.closeAll());

function writeCards(store: LocalStore, titles: string[]) {
  return Promise.all(
    titles.map((title) => store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields({ title }) })),
  );
}

async function titles(store: LocalStore): Promise<string[]> {
  return (await store.list('cards')).map((view) => String(view.fields.title)).sort();
}

describe('accounts', () => {
  describe('the active account', () => {
    it('is anonymous until one is activated, and back to anonymous on null', async () => {
      expect(await activeAccount()).toBeNull();
      await activateAccount({ id: 'u1', email: 'a@example.com' });
      expect(await activeAccount()).toEqual({ id: 'u1', email: 'a@example.com' });
      await activateAccount(null);
      expect(await activeAccount()).toBeNull();
    });

    it('names a local database per account', () => {
      expect(localDatabaseName(null)).toBe('burrow-local');
      expect(localDatabaseName('u1')).toBe('burrow-user-u1');
    });
  });

  describe('claimLocalData', () => {
    it("moves the anonymous data into the user's database on first sign-in", async () => {
      const anonymous = await stores.open(localDatabaseName(null));
      await writeCards(anonymous, ['one', 'two']);
      const before = await anonymous.nextBatch(10, 1_000_000);

      expect(await claimLocalData('u1')).toBe(2);

      const user = await stores.open(localDatabaseName('u1'));
      expect(await titles(user)).toEqual(['one', 'two']);
      const after = await user.nextBatch(10, 1_000_000);
      expect(after?.clientId).toBe(before?.clientId);
      expect(after?.mutations).toEqual(before?.mutations);
      expect(await user.getMeta('owner')).toBe('u1');

      expect(await titles(anonymous)).toEqual([]);
      expect(await anonymous.nextBatch(10, 1_000_000)).toBeNull();
    });

    it("makes the anonymous workspace the account's: one workspace, every card, seqs from 1", async () => {
      const anonymous = await stores.open(localDatabaseName(null));
      const own = await anonymous.commit({
        op: 'create',
        table: 'workspaces',
        id: workspaceId,
        workspaceId,
        fields: { name: 'Personal' },
      });
      await writeCards(anonymous, ['one', 'two']);
      const accountWorkspace = newId();

      expect(await claimLocalData('u1', accountWorkspace)).toBe(3);

      const user = await stores.open(localDatabaseName('u1'));
      expect(await user.list('workspaces')).toEqual([]);
      expect((await user.list('cards')).map((card) => card.workspaceId)).toEqual([accountWorkspace, accountWorkspace]);
      const batch = await user.nextBatch(10, 1_000_000);
      expect(batch?.mutations.map((mutation) => [mutation.seq, mutation.table, mutation.workspaceId])).toEqual([
        [1, 'cards', accountWorkspace],
        [2, 'cards', accountWorkspace],
      ]);
      expect(batch?.mutations.some((mutation) => mutation.recordId === own.id)).toBe(false);
      expect(await anonymous.list('workspaces')).toEqual([]);
    });

    it("gives the workspace's view settings the name-based ids of the account's workspace", async () => {
      const anonymous = await stores.open(localDatabaseName(null));
      await anonymous.commit({
        op: 'create',
        table: 'workspaces',
        id: workspaceId,
        workspaceId,
        fields: { name: 'P' },
      });
      const fields = { viewKey: 'cards:all', layout: 'list', sortBy: 'title', sortDir: 'asc', filters: {} };
      const anonymousId = await viewSettingsId(workspaceId, 'cards:all');
      await anonymous.commit({ op: 'create', table: 'viewSettings', id: anonymousId, workspaceId, fields });
      await anonymous.commit({ op: 'update', table: 'viewSettings', id: anonymousId, fields: { layout: 'grid' } });
      const accountWorkspace = newId();

      await claimLocalData('u1', accountWorkspace);

      // What a device already signed in to the account writes for the same view.
      const accountId = await viewSettingsId(accountWorkspace, 'cards:all');
      const user = await stores.open(localDatabaseName('u1'));
      expect(
        (await user.list('viewSettings')).map((record) => [record.id, record.workspaceId, record.fields.layout]),
      ).toEqual([[accountId, accountWorkspace, 'grid']]);
      const batch = await user.nextBatch(10, 1_000_000);
      expect(batch?.mutations.map((mutation) => [mutation.table, mutation.recordId])).toEqual([
        ['viewSettings', accountId],
      ]);
    });

    it('claims a workspace as it is when it is not the one anonymous use made first', async () => {
      const anonymous = await stores.open(localDatabaseName(null));
      await writeCards(anonymous, ['one']);
      await anonymous.commit({
        op: 'create',
        table: 'workspaces',
        id: workspaceId,
        workspaceId,
        fields: { name: 'Later' },
      });
      await claimLocalData('u1', newId());
      const user = await stores.open(localDatabaseName('u1'));
      expect((await user.list('workspaces')).map((workspace) => workspace.fields.name)).toEqual(['Later']);
    });

    it('merges a later update into the newest claimed entry, as it would have before the claim', async () => {
      const anonymous = await stores.open(localDatabaseName(null));
      const [, second] = await writeCards(anonymous, ['one', 'two']);
      await claimLocalData('u1');

      const user = await stores.open(localDatabaseName('u1'));
      await user.commit({ op: 'update', table: 'cards', id: second.id, fields: { title: 'two, edited' } });
      const batch = await user.nextBatch(10, 1_000_000);
      expect(batch?.mutations.map((mutation) => [mutation.op, mutation.fields?.title])).toEqual([
        ['create', 'one'],
        ['create', 'two, edited'],
      ]);
    });

    it('gives the emptied anonymous database a new clientId whose first seq is 1', async () => {
      const anonymous = await stores.open(localDatabaseName(null));
      await writeCards(anonymous, ['one', 'two']);
      const oldClientId = await anonymous.getMeta('clientId');
      await claimLocalData('u1');
      await writeCards(anonymous, ['three']);
      const batch = await anonymous.nextBatch(10, 1_000_000);
      expect(batch?.clientId).not.toBe(oldClientId);
      expect(batch?.mutations.map((mutation) => mutation.seq)).toEqual([1]);
    });

    it('claims nothing on a later sign-in of the same user', async () => {
      const anonymous = await stores.open(localDatabaseName(null));
      await writeCards(anonymous, ['first']);
      await claimLocalData('u1');
      await writeCards(anonymous, ['while signed out']);
      expect(await claimLocalData('u1')).toBe(0);
      expect(await titles(anonymous)).toEqual(['while signed out']);
      const user = await stores.open(localDatabaseName('u1'));
      expect(await titles(user)).toEqual(['first']);
    });

    it('claims nothing for a user whose first sign-in found no anonymous data', async () => {
      expect(await claimLocalData('u1')).toBe(0);
      const anonymous = await stores.open(localDatabaseName(null));
      await writeCards(anonymous, ['later']);
      expect(await claimLocalData('u1')).toBe(0);
      expect(await titles(anonymous)).toEqual(['later']);
    });

    it('finishes a claim cut short for its own user before another user signs in', async () => {
      const anonymous = await stores.open(localDatabaseName(null));
      await writeCards(anonymous, ['for u1']);
      // As if the tab closed right after the claim for u1 took its snapshot.
      await writeMetaOf(anonymous.name, 'claimingFor', 'u1');
      expect(await claimLocalData('u2')).toBe(0);
      const first = await stores.open(localDatabaseName('u1'));
      const second = await stores.open(localDatabaseName('u2'));
      expect(await titles(first)).toEqual(['for u1']);
      expect(await titles(second)).toEqual([]);
      expect(await titles(anonymous)).toEqual([]);
      expect(await anonymous.getMeta('claimingFor')).toBeUndefined();
    });

    it("never shows one user's data to another user signing in later", async () => {
      const anonymous = await stores.open(localDatabaseName(null));
      await writeCards(anonymous, ['for u1']);
      await claimLocalData('u1');
      await writeCards(anonymous, ['for u2']);
      expect(await claimLocalData('u2')).toBe(1);

      const first = await stores.open(localDatabaseName('u1'));
      const second = await stores.open(localDatabaseName('u2'));
      expect(await titles(first)).toEqual(['for u1']);
      expect(await titles(second)).toEqual(['for u2']);
      expect(await titles(anonymous)).toEqual([]);
      expect((await second.nextBatch(10, 1_000_000))?.mutations.map((mutation) => mutation.seq)).toEqual([1]);
      expect(await second.getMeta('clientId')).not.toBe(await first.getMeta('clientId'));
    });
  });
});
