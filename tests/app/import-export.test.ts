import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppRig, type BurrowWindow, card, goTo, openBurrow, startRig } from './app-rig.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

describe('import and export', () => {
  it('imports a bookmarks.html as nested collections, refuses a broken file, and round-trips an export', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    await goTo(page, 'Import and export');
    const outcome = page.getByRole('status').filter({ hasText: /Imported|not a|Reading|Importing/ });

    await page.getByLabel('Browser bookmarks (bookmarks.html)').setInputFiles(fixture('broken-bookmarks.html'));
    await page.getByText('This file is not a browser bookmarks export').waitFor();
    const countCards = () =>
      page.evaluate(async () => (await (globalThis as unknown as BurrowWindow).burrow.list('cards')).length);
    expect(await countCards()).toBe(0);

    await page.getByLabel('Browser bookmarks (bookmarks.html)').setInputFiles(fixture('bookmarks.html'));
    await page.getByText('Imported 7 cards, 4 collections.').waitFor();
    expect(await outcome.textContent()).toContain('Skipped 2');

    // The same file again adds nothing: folders are matched by path, links by normalised URL.
    await page.getByLabel('Browser bookmarks (bookmarks.html)').setInputFiles(fixture('bookmarks.html'));
    await page.getByText('Imported nothing new.').waitFor();
    const countCollections = () =>
      page.evaluate(async () => (await (globalThis as unknown as BurrowWindow).burrow.list('collections')).length);
    expect([await countCards(), await countCollections()]).toEqual([7, 4]);

    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Deep "nested" folder' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deep "nested" folder' }).waitFor();
    await card(page, 'Write-Ahead Logging').waitFor();
    await nav.getByRole('link', { name: 'Bookmarks bar' }).click();
    // A collection shows what is filed in it and in the collections nested in it.
    await card(page, 'Write-Ahead Logging').waitFor();
    await card(page, 'Progressive web apps | MDN').waitFor();

    await goTo(page, 'Import and export');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export workspace' }).click();
    const exported = await readFile((await (await download).path())!, 'utf8');
    const parsed = JSON.parse(exported) as { format: string; cards: unknown[]; collections: unknown[] };
    expect(parsed).toMatchObject({ format: 'burrow-export' });
    expect([parsed.cards.length, parsed.collections.length]).toEqual([7, 4]);

    await page.getByRole('combobox', { name: 'Workspace' }).selectOption({ label: 'Manage workspaces…' });
    const workspaces = page.getByRole('dialog', { name: 'Workspaces' });
    await workspaces.getByLabel('New workspace').fill('Copy');
    await workspaces.getByRole('button', { name: 'Create' }).click();
    await workspaces.waitFor({ state: 'detached' });
    await goTo(page, 'Import and export');
    await page.getByText('Into the workspace “Copy”').waitFor();
    await page.getByLabel('Burrow export (.json)').setInputFiles({
      name: 'burrow-export.json',
      mimeType: 'application/json',
      buffer: Buffer.from(exported),
    });
    await page.getByText('Imported 7 cards, 4 collections.').waitFor();
    await nav.getByRole('link', { name: 'Deep "nested" folder' }).click();
    await card(page, 'Write-Ahead Logging').waitFor();
    await device.close();
  });
});
