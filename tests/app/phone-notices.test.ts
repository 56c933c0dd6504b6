import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage } from '../support/browser.ts';
import { type AppRig, card, openBurrow, screenshotPath, signIn, startRig, uniqueEmail, waitSynced } from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

const NOTE = { kind: 'note', content: '', tags: [], collectionIds: [], pinned: false };

/**
 * Counts, on every change of the page, the toasts and the sync notices showing at once, and keeps
 * the most of each ever seen (`window.mostNotices`). Source text: it runs in the page.
 */
const WATCH_NOTICES = `
  window.mostNotices = { toasts: 0, syncNotices: 0 };
  new MutationObserver(() => {
    const most = window.mostNotices;
    most.toasts = Math.max(most.toasts, document.querySelectorAll('.toast').length);
    most.syncNotices = Math.max(most.syncNotices, document.querySelectorAll('.sync-notice').length);
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

/**
 * What of the toasts and sync notices on screen overlaps a card of the list, or reaches below the
 * list's top (source text: it runs in the page).
 */
const NOTICES_OVER_THE_LIST = `(() => {
  const notices = [...document.querySelectorAll('.toast, .sync-notice')].map((element) => ({
    text: element.textContent,
    box: element.getBoundingClientRect(),
  }));
  const cards = [...document.querySelectorAll('main article')].map((element) => element.getBoundingClientRect());
  const listTop = Math.min(...cards.map((box) => box.top));
  const found = [];
  for (const { text, box } of notices) {
    if (box.bottom > listTop) found.push(text + " reaches below the list's top");
    for (const card of cards) {
      if (box.top < card.bottom && card.top < box.bottom && box.left < card.right && card.left < box.right) {
        found.push(text + ' covers a card');
      }
    }
  }
  return found;
})()`;

async function noticesOverTheList(page: Page): Promise<string[]> {
  return (await page.evaluate(NOTICES_OVER_THE_LIST)) as string[];
}

describe('notices on a phone', () => {
  it('shows one toast and one sync notice at a time, above the list, never over it', async () => {
    const email = uniqueEmail('phone-notices');
    const laptopContext = await rig.browser.newDevice();
    const laptop = await openBurrow(rig, laptopContext);
    await signIn(laptop, email, 'Create account');
    const recipes = await inPage(laptop, async (burrow) => {
      const created = await burrow.create('collections', { name: 'Recipes', parentId: null, position: 0 });
      return created.id;
    });
    await waitSynced(laptop);

    const phoneContext = await rig.browser.browser.newContext({ viewport: { width: 390, height: 844 } });
    await phoneContext.addInitScript(WATCH_NOTICES);
    const phone = await openBurrow(rig, phoneContext);
    await signIn(phone, email);
    await inPage(
      phone,
      async (burrow, { note }) => {
        for (let index = 1; index <= 14; index++) await burrow.create('cards', { ...note, title: `Card ${index}` });
      },
      { note: NOTE },
    );
    await card(phone, 'Card 14').waitFor();
    await waitSynced(phone);

    // A change the server will refuse (its parent is deleted meanwhile), and news from the laptop.
    await phoneContext.setOffline(true);
    await inPage(
      phone,
      (burrow, parentId) => burrow.create('collections', { name: 'Soups', parentId, position: 0 }),
      recipes,
    );
    await inPage(
      laptop,
      async (burrow, { parentId, note }) => {
        await burrow.remove('collections', parentId);
        for (const title of ['Laptop 1', 'Laptop 2']) await burrow.create('cards', { ...note, title });
      },
      { parentId: recipes, note: NOTE },
    );
    await waitSynced(laptop);

    // Three toasts in a row, then the refusal and the arrivals together.
    for (const title of ['Card 14', 'Card 13', 'Card 12']) {
      await card(phone, title)
        .getByRole('button', { name: `Delete ${title}` })
        .click();
    }
    await phone.getByText('Moved “Card 12” to the Trash.').waitFor();
    expect(await noticesOverTheList(phone)).toEqual([]);
    await phone.screenshot({ path: screenshotPath('notices-toast-phone-light') });
    await phoneContext.setOffline(false);
    await phone.getByText(/^Couldn't save “Soups”: .*Your copy is kept\.$/).waitFor({ timeout: 30_000 });
    await card(phone, 'Laptop 2').waitFor({ timeout: 30_000 });
    await phone.screenshot({ path: screenshotPath('notices-refusal-phone-light') });

    expect(await noticesOverTheList(phone)).toEqual([]);
    expect(await phone.evaluate('window.mostNotices')).toEqual({ toasts: 1, syncNotices: 1 });

    await phoneContext.close();
    await laptopContext.close();
  });
});
