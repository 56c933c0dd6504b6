import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppRig,
  addNote,
  type BurrowWindow,
  card,
  openBurrow,
  pullNow,
  renameCard,
  screenshotPath,
  signIn,
  startRig,
  statusPill,
  uniqueEmail,
  waitSynced,
} from './app-rig.ts';
import { seriousViolations } from './axe-check.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

async function openSyncPanel(page: Page) {
  await statusPill(page).click();
  return page.getByRole('dialog', { name: 'Sync' });
}

describe('conflicts', () => {
  it('shows the same card edited on two devices and syncs each way of resolving it', async () => {
    const email = uniqueEmail('conflict');
    const oneContext = await rig.browser.newDevice();
    const twoContext = await rig.browser.newDevice();
    const one = await openBurrow(rig, oneContext);
    await signIn(one, email, 'Create account');
    for (const title of ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']) await addNote(one, title, `About ${title}`);
    await waitSynced(one);
    const two = await openBurrow(rig, twoContext);
    await signIn(two, email);
    await card(two, 'Echo').waitFor({ timeout: 30_000 });
    await waitSynced(two);

    await oneContext.setOffline(true);
    await twoContext.setOffline(true);
    for (const title of ['Alpha', 'Bravo', 'Charlie']) {
      await renameCard(one, title, `${title} from one`);
      await renameCard(two, title, `${title} from two`);
    }
    await card(one, 'Delta').getByRole('button', { name: 'Delete Delta' }).click();
    await card(one, 'Echo').getByRole('button', { name: 'Delete Echo' }).click();
    await renameCard(two, 'Delta', 'Delta kept');
    await renameCard(two, 'Echo', 'Echo edited');

    await oneContext.setOffline(false);
    await waitSynced(one);
    await twoContext.setOffline(false);
    await expect.poll(() => statusPill(two).getAttribute('aria-label'), { timeout: 30_000 }).toContain('5 conflicts');
    await card(two, 'Alpha from two').getByRole('button', { name: 'Conflict' }).waitFor();

    const panel = await openSyncPanel(two);
    await panel.getByRole('article', { name: /^Conflict: Echo/ }).waitFor();
    await two.screenshot({ path: screenshotPath('sync-panel-conflicts-desktop-light') });
    const alpha = panel.getByRole('article', { name: 'Conflict: Alpha from two' });
    expect(await alpha.getByRole('row', { name: /Title/ }).textContent()).toBe('TitleAlpha from twoAlpha from one');
    await alpha.getByRole('button', { name: 'Keep mine' }).click();
    await panel
      .getByRole('article', { name: 'Conflict: Bravo from two' })
      .getByRole('button', { name: 'Use theirs' })
      .click();
    const charlie = panel.getByRole('article', { name: 'Conflict: Charlie from two' });
    await charlie.getByRole('button', { name: 'Merge…' }).click();
    await charlie.getByLabel('Merged title').fill('Charlie, merged');
    await charlie.getByRole('button', { name: 'Save merge' }).click();
    await panel
      .getByRole('article', { name: /Conflict: Delta/ })
      .getByRole('button', { name: 'Restore' })
      .click();
    await panel
      .getByRole('article', { name: /Conflict: Echo/ })
      .getByRole('button', { name: 'Accept deletion' })
      .click();
    await panel
      .getByRole('article', { name: /^Conflict:/ })
      .first()
      .waitFor({ state: 'detached' });
    await panel.getByRole('button', { name: 'Close' }).click();
    await waitSynced(two);

    await pullNow(one);
    for (const title of ['Alpha from two', 'Bravo from one', 'Charlie, merged', 'Delta kept']) {
      await card(one, title).waitFor({ timeout: 30_000 });
      await card(two, title).waitFor();
    }
    expect(await card(two, 'Echo edited').count()).toBe(0);
    expect(await card(one, 'Echo').count()).toBe(0);
    expect(await one.getByRole('button', { name: 'Conflict' }).count()).toBe(0);
    await oneContext.close();
    await twoContext.close();
  });

  it('keeps line breaks and starts a merge from both versions, marking what differs', async () => {
    const email = uniqueEmail('merge');
    const oneContext = await rig.browser.newDevice();
    const twoContext = await rig.browser.newDevice();
    const one = await openBurrow(rig, oneContext);
    await signIn(one, email, 'Create account');
    await addNote(one, 'Soup', 'Leeks\nPotatoes\nSalt');
    await waitSynced(one);
    const two = await openBurrow(rig, twoContext);
    await signIn(two, email);
    await card(two, 'Soup').waitFor({ timeout: 30_000 });
    await waitSynced(two);

    await oneContext.setOffline(true);
    await twoContext.setOffline(true);
    const setText = (page: Page, content: string) =>
      page.evaluate(async (content) => {
        const { burrow } = globalThis as unknown as BurrowWindow;
        const [soup] = (await burrow.list('cards')).filter((record) => record.fields.title === 'Soup');
        await burrow.update('cards', soup.id, { content });
      }, content);
    await setText(one, 'Leeks\nSweet potatoes\nSalt\nThyme');
    await setText(two, 'Leeks\nPotatoes\nPepper\nSalt');
    await oneContext.setOffline(false);
    await waitSynced(one);
    await twoContext.setOffline(false);
    await expect.poll(() => statusPill(two).getAttribute('aria-label'), { timeout: 30_000 }).toContain('1 conflict');

    const panel = await openSyncPanel(two);
    const soup = panel.getByRole('article', { name: 'Conflict: Soup' });
    const row = soup.getByRole('row', { name: /Text/ });
    // Each version shows its lines as lines, not run together.
    expect(await row.getByRole('cell').first().innerText()).toBe('Leeks\nPotatoes\nPepper\nSalt');
    expect(await row.getByRole('cell').last().innerText()).toBe('Leeks\nSweet potatoes\nSalt\nThyme');

    await soup.getByRole('button', { name: 'Merge…' }).click();
    const merged = soup.getByLabel('Merged text');
    // The merge starts from every line of both: mine are all there, theirs too.
    expect(await merged.inputValue()).toBe('Leeks\nPotatoes\nPepper\nSweet potatoes\nSalt\nThyme');
    const differences = soup.getByRole('list', { name: 'What differs in the text' });
    expect(await differences.getByRole('listitem').allTextContents()).toEqual([
      'Leeks',
      'Yours: Potatoes',
      'Yours: Pepper',
      'Theirs: Sweet potatoes',
      'Salt',
      'Theirs: Thyme',
    ]);
    const problems: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await two.emulateMedia({ colorScheme });
      for (const viewport of [
        { name: 'phone', width: 390, height: 844 },
        { name: 'desktop', width: 1280, height: 800 },
      ]) {
        await two.setViewportSize(viewport);
        await differences.scrollIntoViewIfNeeded();
        problems.push(...(await seriousViolations(two)));
        await two.screenshot({ path: screenshotPath(`conflict-merge-${viewport.name}-${colorScheme}`) });
      }
    }
    expect(problems).toEqual([]);
    await merged.fill('Leeks\nSweet potatoes\nPepper\nSalt\nThyme');
    await soup.getByRole('button', { name: 'Save merge' }).click();
    await soup.waitFor({ state: 'detached' });
    await panel.getByRole('button', { name: 'Close' }).click();
    await waitSynced(two);
    await pullNow(one);
    await expect
      .poll(() =>
        one.evaluate(async () => {
          const { burrow } = globalThis as unknown as BurrowWindow;
          return (await burrow.list('cards')).find((record) => record.fields.title === 'Soup')?.fields.content;
        }),
      )
      .toBe('Leeks\nSweet potatoes\nPepper\nSalt\nThyme');
    await oneContext.close();
    await twoContext.close();
  });
});
