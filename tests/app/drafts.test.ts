import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage } from '../support/browser.ts';
import { type AppRig, card, openBurrow, startRig } from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

/** The cards stored on this device (deleted ones too) and the card changes waiting to be sent. */
function cardsAndOutbox(page: Page) {
  return inPage(page, async (burrow) => {
    const cards = await burrow.list('cards', { includeDeleted: true });
    const pending = await burrow.pendingMutations();
    return {
      titles: cards.map((record) => ({ title: record.fields.title, deleted: record.deleted })),
      pendingCards: pending.filter((entry) => entry.table === 'cards').length,
    };
  });
}

async function freshDevice(): Promise<{ device: BrowserContext; page: Page }> {
  const device = await rig.browser.newDevice();
  const page = await openBurrow(rig, device);
  return { device, page };
}

/** The editor's submit button (Done, or Save where the editor had one). */
function submitButton(page: Page) {
  return page.getByRole('dialog').locator('button[type="submit"]');
}

describe('drafts are data', () => {
  it('a new note typed and left mid-sentence survives a reload', async () => {
    const { device, page } = await freshDevice();
    await page.getByRole('button', { name: 'New note' }).click();
    const dialog = page.getByRole('dialog', { name: 'New note' });
    await dialog.getByLabel('Title').pressSequentially('Half a thought');
    await dialog.getByLabel('Text (markdown)').pressSequentially('It began with');
    // The editor says when what was typed is stored; nothing is pressed.
    await dialog
      .getByRole('status')
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await card(page, 'Half a thought').getByRole('button', { name: 'Half a thought', exact: true }).click();
    const editor = page.getByRole('dialog', { name: 'Edit note' });
    expect(await editor.getByLabel('Text (markdown)').inputValue()).toBe('It began with');
    await device.close();
  });

  it('an edit is kept after Esc, and a new note after a click outside the dialog', async () => {
    const { device, page } = await freshDevice();
    await inPage(page, (burrow) =>
      burrow.create('cards', {
        kind: 'note',
        title: 'Shopping',
        content: 'Milk',
        tags: [],
        collectionIds: [],
        pinned: false,
      }),
    );
    await card(page, 'Shopping').getByRole('button', { name: 'Shopping', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: 'Edit note' });
    await dialog.getByLabel('Text (markdown)').press('End');
    await dialog.getByLabel('Text (markdown)').pressSequentially(' and eggs');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await card(page, 'Shopping').getByRole('button', { name: 'Shopping', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Edit note' });
    expect(await dialog.getByLabel('Text (markdown)').inputValue()).toBe('Milk and eggs');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'New note' }).click();
    dialog = page.getByRole('dialog', { name: 'New note' });
    await dialog.getByLabel('Title').pressSequentially('Clicked away');
    // The backdrop: the top left corner of the window is outside the centred dialog.
    await page.mouse.click(3, 3);
    await dialog.waitFor({ state: 'detached' });
    await card(page, 'Clicked away').waitFor();
    await device.close();
  });

  it('a double click on the button that closes a new note makes one card', async () => {
    const { device, page } = await freshDevice();
    await page.getByRole('button', { name: 'New note' }).click();
    const dialog = page.getByRole('dialog', { name: 'New note' });
    await dialog.getByLabel('Title').fill('Only once');
    await submitButton(page).dblclick();
    await dialog.waitFor({ state: 'detached' });
    await card(page, 'Only once').waitFor();
    const { titles } = await cardsAndOutbox(page);
    expect(titles).toEqual([{ title: 'Only once', deleted: false }]);
    await device.close();
  });

  it('an editor closed untouched leaves nothing; Undo and Discard put back what was there', async () => {
    const { device, page } = await freshDevice();
    await page.getByRole('button', { name: 'New link' }).click();
    let dialog = page.getByRole('dialog', { name: 'New link' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await cardsAndOutbox(page)).toEqual({ titles: [], pendingCards: 0 });

    // A new note written and then discarded leaves nothing behind either, not even in the Trash.
    await page.getByRole('button', { name: 'New note' }).click();
    dialog = page.getByRole('dialog', { name: 'New note' });
    await dialog.getByLabel('Title').pressSequentially('Second thoughts');
    await dialog
      .getByRole('status')
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await dialog.getByRole('button', { name: 'Discard' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await cardsAndOutbox(page)).titles).toEqual([]);

    await inPage(page, (burrow) =>
      burrow.create('cards', {
        kind: 'note',
        title: 'Plans',
        content: 'Walk',
        tags: [],
        collectionIds: [],
        pinned: false,
      }),
    );
    await card(page, 'Plans').getByRole('button', { name: 'Plans', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Edit note' });
    await dialog.getByLabel('Title').fill('Grand plans');
    await dialog.getByLabel('Text (markdown)').fill('Run');
    await dialog
      .getByRole('status')
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await card(page, 'Grand plans').waitFor();
    await dialog.getByRole('button', { name: 'Undo changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card(page, 'Plans').waitFor();
    const stored = await inPage(page, async (burrow) => (await burrow.list('cards')).map((record) => record.fields));
    expect(stored).toMatchObject([{ title: 'Plans', content: 'Walk' }]);
    await device.close();
  });
});
