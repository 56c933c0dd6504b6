/** Accounts on one browser: signing out and in as another account never mixes data, locally or on the server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage, waitFor } from '../support/browser.ts';
import { type EngineRig, openDevice, outboxState, PASSWORD, serverCards, startRig, uniqueEmail } from './engine-rig.ts';

describe('accounts on one browser', () => {
  let rig: EngineRig;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('keeps two accounts apart across sign-out and sign-in', async () => {
    const alice = uniqueEmail('alice');
    const bob = uniqueEmail('bob');
    const device = await openDevice(rig, { signUp: alice });
    const { page } = device;
    const createCard = (title: string, workspaceId: string) =>
      inPage(
        page,
        async (burrow, arg) => {
          const fields = { kind: 'note', title: arg.title, content: '', tags: [], collectionIds: [], pinned: false };
          await burrow.create('cards', fields, { workspaceId: arg.workspaceId });
        },
        { title, workspaceId },
      );
    const listedTitles = () =>
      inPage(page, async (burrow) => (await burrow.list('cards')).map((card) => String(card.fields.title)).sort());
    const flushed = () => waitFor(async () => (await outboxState(page)).pending === 0, { message: 'an empty outbox' });

    await createCard('alice private', device.workspaceId);
    await flushed();

    await inPage(page, (burrow) => burrow.signOut());
    expect(await inPage(page, (burrow) => burrow.account())).toBeNull();
    expect(await listedTitles()).not.toContain('alice private');

    await inPage(page, (burrow, arg) => burrow.signUp(arg.email, arg.password).then(() => null), {
      email: bob,
      password: PASSWORD,
    });
    const bobWorkspace = await waitFor(
      () =>
        inPage(page, async (burrow) => {
          const workspaces = await burrow.workspaces();
          return workspaces.length === 1 ? workspaces[0].id : null;
        }),
      { message: "bob's one workspace" },
    );
    expect(bobWorkspace).not.toBe(device.workspaceId);
    expect(await listedTitles()).toEqual([]);
    await createCard('bob private', bobWorkspace);
    await flushed();
    expect(await listedTitles()).toEqual(['bob private']);

    await inPage(page, (burrow) => burrow.signOut());
    await inPage(page, (burrow, arg) => burrow.signIn(arg.email, arg.password).then(() => null), {
      email: alice,
      password: PASSWORD,
    });
    expect(await inPage(page, (burrow) => burrow.account()?.user.email)).toBe(alice);
    expect(await listedTitles()).toEqual(['alice private']);
    expect(await inPage(page, async (burrow) => (await burrow.workspaces()).map((workspace) => workspace.id))).toEqual([
      device.workspaceId,
    ]);

    const titlesOnServer = async (email: string) => (await serverCards(rig, email)).map((card) => card.fields.title);
    expect(await titlesOnServer(alice)).toEqual(['alice private']);
    expect(await titlesOnServer(bob)).toEqual(['bob private']);
    await device.context.close();
  });
});
