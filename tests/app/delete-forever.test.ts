import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage, waitFor } from '../support/browser.ts';
import {
  type AppRig,
  addNote,
  card,
  goTo,
  openBurrow,
  pullNow,
  renameCard,
  signIn,
  startRig,
  statusPill,
  uniqueEmail,
  waitSynced,
} from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

/** Two devices signed in to one new account, both synced. */
async function twoDevices(): Promise<{ one: Page; two: Page }> {
  const email = uniqueEmail('purge');
  const one = await openBurrow(rig, await rig.browser.newDevice());
  await signIn(one, email, 'Create account');
  await waitSynced(one);
  const two = await openBurrow(rig, await rig.browser.newDevice());
  await signIn(two, email);
  await waitSynced(two);
  return { one, two };
}

/** The id of the card titled `title` on this device (deleted ones too). */
async function cardId(page: Page, title: string): Promise<string> {
  const cards = await inPage(page, (burrow) => burrow.list('cards', { includeDeleted: true }));
  const found = cards.find((record) => record.fields.title === title);
  if (!found) throw new Error(`no card ${title}`);
  return found.id;
}

/** Every card this device holds, deleted ones (its Trash) included, by title. */
async function storedTitles(page: Page): Promise<unknown[]> {
  const cards = await inPage(page, (burrow) => burrow.list('cards', { includeDeleted: true }));
  return cards.map((record) => record.fields.title);
}

/** What the server holds of a card, read through REST with the page's session. */
function onServer(page: Page, id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(async (cardId) => {
    const response = await fetch(`/api/cards/${cardId}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }, id);
}

/** Pulls on `page` until it holds no card titled `title`, not even in its Trash. */
async function waitGone(page: Page, title: string): Promise<void> {
  await waitFor(
    async () => {
      await pullNow(page);
      return !(await storedTitles(page)).includes(title);
    },
    { intervalMs: 250, timeoutMs: 20_000, message: `“${title}” to leave the device, Trash included` },
  );
}

describe('Delete forever', () => {
  it('in the Trash of one device takes the card out of the Trash of the other, and its text off the server', async () => {
    const { one, two } = await twoDevices();
    await addNote(one, 'Old recipe', 'Secret sauce');
    await waitSynced(one);
    await pullNow(two);
    await card(two, 'Old recipe').waitFor();
    const id = await cardId(one, 'Old recipe');

    await card(one, 'Old recipe').getByRole('button', { name: 'Delete Old recipe' }).click();
    await waitSynced(one);
    await pullNow(two);
    await card(two, 'Old recipe').waitFor({ state: 'detached' });
    await goTo(two, 'Trash');
    await two.getByRole('button', { name: 'Delete forever: Old recipe' }).waitFor();

    await goTo(one, 'Trash');
    await one.getByRole('button', { name: 'Delete forever: Old recipe' }).click();
    await one.getByText('Deleted “Old recipe” for good.').waitFor();
    await waitSynced(one);

    await waitGone(two, 'Old recipe');
    await two.getByText('The Trash is empty.').waitFor();
    const stored = await onServer(one, id);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ deleted: true, purged: true, fields: {} });
  });

  it('of a new note already synced, by Discard, leaves nothing on the other device nor on the server', async () => {
    const { one, two } = await twoDevices();
    await one.getByRole('button', { name: 'New note' }).click();
    const dialog = one.getByRole('dialog', { name: 'New note' });
    await dialog.getByLabel('Title').pressSequentially('Second thoughts');
    await dialog.getByLabel('Text (markdown)').pressSequentially('Better unsaid');
    await dialog
      .getByRole('status')
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    // The draft reaches the server and the other device while the editor is still open.
    const id = await cardId(one, 'Second thoughts');
    await waitFor(async () => (await onServer(one, id)).body.fields, { message: 'the draft on the server' });
    await pullNow(two);
    await card(two, 'Second thoughts').waitFor();

    await dialog.getByRole('button', { name: 'Discard' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitSynced(one);
    expect(await storedTitles(one)).toEqual([]);

    await waitGone(two, 'Second thoughts');
    await goTo(two, 'Trash');
    await two.getByText('The Trash is empty.').waitFor();
    const stored = await onServer(one, id);
    expect(stored.body).toMatchObject({ deleted: true, purged: true, fields: {} });
  });

  it('while another device edits the card offline shows that device a conflict it can only accept, then nothing left', async () => {
    const { one, two } = await twoDevices();
    await addNote(one, 'Shared list', 'Eggs');
    await waitSynced(one);
    await pullNow(two);
    await card(two, 'Shared list').waitFor();
    const twoContext = two.context();
    await twoContext.setOffline(true);
    await renameCard(two, 'Shared list', 'Shared list, longer');

    await card(one, 'Shared list').getByRole('button', { name: 'Delete Shared list' }).click();
    await goTo(one, 'Trash');
    await one.getByRole('button', { name: 'Delete forever: Shared list' }).click();
    await waitSynced(one);

    await twoContext.setOffline(false);
    await statusPill(two)
      .filter({ hasText: /conflict/i })
      .waitFor({ timeout: 30_000 });
    await statusPill(two).click();
    const panel = two.getByRole('dialog', { name: 'Sync' });
    const conflict = panel.getByRole('article', { name: 'Conflict: Shared list, longer' });
    await conflict.getByText('deleted for good on another device').waitFor();
    expect(await conflict.getByText('Shared list, longer').count()).toBeGreaterThan(0);
    await conflict.getByRole('button', { name: 'Accept deletion' }).click();
    await conflict.waitFor({ state: 'detached' });
    await waitGone(two, 'Shared list, longer');
    expect(await storedTitles(two)).toEqual([]);
  });

  it('of a new note that never left the device, by Discard, sends nothing at all', async () => {
    const one = await openBurrow(rig, await rig.browser.newDevice());
    await signIn(one, uniqueEmail('purge'), 'Create account');
    await waitSynced(one);
    const device = one.context();
    await device.setOffline(true);
    await one.getByRole('button', { name: 'New note' }).click();
    const dialog = one.getByRole('dialog', { name: 'New note' });
    await dialog.getByLabel('Title').pressSequentially('Never sent');
    await dialog
      .getByRole('status')
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    const id = await cardId(one, 'Never sent');
    expect(await inPage(one, async (burrow) => (await burrow.pendingMutations()).length)).toBeGreaterThan(0);
    await dialog.getByRole('button', { name: 'Discard' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await inPage(one, async (burrow) => (await burrow.pendingMutations()).length)).toBe(0);
    await device.setOffline(false);
    await waitSynced(one);
    // Not even a tombstone: the server never heard of it.
    expect((await onServer(one, id)).status).toBe(404);
  });
});
