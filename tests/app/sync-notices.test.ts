import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage } from '../support/browser.ts';
import {
  type AppRig,
  addNote,
  card,
  goTo,
  openBurrow,
  pullNow,
  signIn,
  startRig,
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

/** Any notice about another device, in today's words or the old ones. */
function deviceNotices(page: Page) {
  return page.getByText(/another device/i);
}

/**
 * Records every notice about another device that ever shows on the device's pages (they leave
 * after a few seconds), across reloads of a tab: an observer installed before each page's scripts.
 */
async function watchDeviceNotices(context: BrowserContext): Promise<void> {
  // Source text: it runs in the page, typed there, not here.
  await context.addInitScript(`
    const record = () => {
      const walker = document.createTreeWalker(document.body ?? document, NodeFilter.SHOW_TEXT);
      const found = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (/another device/i.test(node.data)) found.push(node.parentElement.textContent.trim());
      }
      if (found.length === 0) return;
      const seen = JSON.parse(sessionStorage.getItem('device-notices-seen') ?? '[]');
      sessionStorage.setItem('device-notices-seen', JSON.stringify([...new Set([...seen, ...found])]));
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
  `);
}

async function noticesSeen(page: Page): Promise<string[]> {
  return JSON.parse((await page.evaluate(`sessionStorage.getItem('device-notices-seen')`)) ?? '[]');
}

describe('notices about other devices', () => {
  it('says nothing after this device’s own sign-up, delete and restore and share', async () => {
    const device = await rig.browser.newDevice();
    await watchDeviceNotices(device);
    const page = await openBurrow(rig, device);
    await addNote(page, 'Before the account', 'kept');
    await signIn(page, uniqueEmail('own-actions'), 'Create account');
    await waitSynced(page);

    await card(page, 'Before the account').getByRole('button', { name: 'Delete Before the account' }).click();
    await goTo(page, 'Trash');
    await page.getByRole('button', { name: 'Restore Before the account' }).click();
    await goTo(page, 'All cards');
    await card(page, 'Before the account').waitFor();
    await waitSynced(page);

    await page.goto(new URL('/share?title=Shared%20here&url=https%3A%2F%2Fexample.com%2Fshared', rig.server.url).href);
    const dialog = page.getByRole('dialog', { name: 'New link' });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card(page, 'Shared here').waitFor();
    await waitSynced(page);
    await pullNow(page);
    await waitSynced(page);
    // Every notice of these actions has been delivered by now: each pull has been applied.
    expect(await noticesSeen(page)).toEqual([]);
    await device.close();
  });

  it('counts the cards another device changed in one notice that never covers the list on a phone', async () => {
    const email = uniqueEmail('two-devices');
    const laptopContext = await rig.browser.newDevice();
    const laptop = await openBurrow(rig, laptopContext);
    await signIn(laptop, email, 'Create account');
    await addNote(laptop, 'Seed', 'first');
    await waitSynced(laptop);

    const phoneContext = await rig.browser.browser.newContext({ viewport: { width: 390, height: 844 } });
    await watchDeviceNotices(phoneContext);
    const phone = await openBurrow(rig, phoneContext);
    await signIn(phone, email);
    await card(phone, 'Seed').waitFor();
    await waitSynced(phone);
    // Signing in and the first download are not news from another device.
    expect(await noticesSeen(phone)).toEqual([]);

    await inPage(laptop, async (burrow) => {
      const fields = { kind: 'note', content: '', tags: [], collectionIds: [], pinned: false };
      for (const title of ['One', 'Two', 'Three']) await burrow.create('cards', { ...fields, title });
    });
    await waitSynced(laptop);
    await card(phone, 'Three').waitFor();
    const notice = phone.getByText('3 cards updated on another device');
    await notice.waitFor();
    expect(await deviceNotices(phone).count()).toBe(1);

    const noticeBox = (await notice.boundingBox())!;
    for (const title of ['One', 'Two', 'Three', 'Seed']) {
      const box = (await card(phone, title).boundingBox())!;
      const overlaps = box.y < noticeBox.y + noticeBox.height && noticeBox.y < box.y + box.height;
      expect(overlaps, `the notice covers ${title}`).toBe(false);
    }
    await phoneContext.close();
    await laptopContext.close();
  });
});
