import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppRig,
  addLink,
  addNote,
  card,
  goTo,
  openBurrow,
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

describe('cards offline', () => {
  it('adds, edits, deletes, restores and searches offline, reloads offline, then a second device sees it all', async () => {
    const email = uniqueEmail('offline');
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    await page.getByText('Nothing saved here yet.').waitFor();
    await signIn(page, email, 'Create account');
    await waitSynced(page);

    await device.setOffline(true);
    await addLink(page, 'https://example.com/offline-first', 'Offline first');
    await addNote(page, 'Soup', 'Leek and **potato**');
    await renameCard(page, 'Soup', 'Leek soup');
    await addNote(page, 'Scratch', 'throwaway');
    await expect.poll(() => statusPill(page).textContent()).toMatch(/Offline — [1-9]\d* pending/);

    for (const title of ['Offline first', 'Scratch']) {
      await card(page, title)
        .getByRole('button', { name: `Delete ${title}` })
        .click();
      await card(page, title).waitFor({ state: 'detached' });
    }
    await goTo(page, 'Trash');
    await page.getByRole('button', { name: 'Restore Offline first' }).click();
    await page.getByRole('button', { name: 'Restore Offline first' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete forever: Scratch' }).click();
    await page.getByText('Deleted “Scratch” for good.').waitFor();
    await page.getByText('The Trash is empty.').waitFor();
    await goTo(page, 'All cards');
    await card(page, 'Offline first').waitFor();

    await page.keyboard.press('/');
    await page.keyboard.type('potato');
    await card(page, 'Offline first').waitFor({ state: 'detached' });
    await card(page, 'Leek soup').waitFor();
    await page.getByLabel('Search cards').fill('');

    await page.reload();
    await card(page, 'Leek soup').waitFor();
    await card(page, 'Offline first').waitFor();
    expect(await card(page, 'Scratch').count()).toBe(0);
    await goTo(page, 'Trash');
    await page.getByText('The Trash is empty.').waitFor();
    await goTo(page, 'All cards');

    await device.setOffline(false);
    await waitSynced(page);

    const other = await rig.browser.newDevice();
    const second = await openBurrow(rig, other);
    await signIn(second, email);
    await card(second, 'Leek soup').waitFor({ timeout: 30_000 });
    await card(second, 'Offline first').waitFor();
    expect(await card(second, 'Leek soup').textContent()).toContain('Leek and potato');
    await other.close();
    await device.close();
  });
});
