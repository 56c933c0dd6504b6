import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage } from '../support/browser.ts';
import { type AppRig, addNote, card, openBurrow, signIn, startRig, uniqueEmail, waitSynced } from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

describe('claiming anonymous use', () => {
  it('leaves one workspace after sign-up, with every card, here and on another device', async () => {
    const email = uniqueEmail('one-workspace');
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    await addNote(page, 'Written before the account', 'kept');
    await addNote(page, 'Also before', 'kept too');
    await signIn(page, email, 'Create account');
    await waitSynced(page);

    const workspaces = () =>
      inPage(page, async (burrow) => (await burrow.workspaces()).map((workspace) => workspace.fields.name));
    expect(await workspaces()).toEqual(['Personal']);
    const picker = page.getByLabel('Workspace');
    expect(await picker.locator('option').allTextContents()).toEqual(['Personal', 'Manage workspaces…']);
    await card(page, 'Written before the account').waitFor();
    await card(page, 'Also before').waitFor();

    const other = await rig.browser.newDevice();
    const second = await openBurrow(rig, other);
    await signIn(second, email);
    await card(second, 'Also before').waitFor();
    await waitSynced(second);
    expect(
      await inPage(second, async (burrow) => (await burrow.workspaces()).map((workspace) => workspace.fields.name)),
    ).toEqual(['Personal']);
    await other.close();
    await device.close();
  });
});
