import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportExportConsole } from '../../src/import-export/console-import-export.ts';
import { type AppRig, type BurrowWindow, card, goTo, openBurrow, screenshotPath, startRig } from './app-rig.ts';
import { seriousViolations } from './axe-check.ts';

type ConsoleBurrow = BurrowWindow['burrow'] & ImportExportConsole;

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

    // What the file said about a bookmark is kept: its date and icon.
    const mdn = await page.evaluate(async () => {
      const cards = await (globalThis as unknown as BurrowWindow).burrow.list('cards');
      return cards.find((record) => record.fields.title === 'Progressive web apps | MDN')?.fields;
    });
    expect(mdn).toMatchObject({ savedAt: '2023-11-14T22:15:00Z' });
    expect(mdn?.favicon).toMatch(/^data:image\/png;base64,/);

    // Other formats in, and bookmarks.html out.
    await goTo(page, 'Import and export');
    await page.getByLabel('Raindrop export (.csv)').setInputFiles(fixture('raindrop-export.csv'));
    await page.getByText('Imported 3 cards, 3 collections. Skipped 1').waitFor();
    await page.getByLabel('Pocket export (ril_export.html)').setInputFiles(fixture('pocket-ril_export.html'));
    await page.getByText('Imported 4 cards.').waitFor();
    await page.getByLabel('Format').selectOption('bookmarks-html');
    const bookmarksDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export workspace' }).click();
    const html = await readFile((await (await bookmarksDownload).path())!, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE NETSCAPE-Bookmark-file-1>/);
    // A folder from a CSV has no date of its own: it is written with the collection's creation time.
    expect(html).toMatch(/<DT><H3 ADD_DATE="\d+">Switzerland<\/H3>/);
    expect(html).toMatch(/<DT><A HREF="https:\/\/sqlite.org\/wal.html" ADD_DATE="1700000330">Write-Ahead Logging<\/A>/);
    await device.close();
  });

  it('imports and exports from the console through window.burrow, as the view does', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    const bookmarks = await readFile(fixture('bookmarks.html'), 'utf8');
    const raindrop = await readFile(fixture('raindrop-export.csv'), 'utf8');
    const outcome = await page.evaluate(
      async ({ bookmarks, raindrop }) => {
        const burrow = (globalThis as unknown as { burrow: ConsoleBurrow }).burrow;
        const first = await burrow.importText(bookmarks, { format: 'bookmarks-html' });
        const again = await burrow.importText(bookmarks, { format: 'Browser bookmarks (bookmarks.html)' });
        const csv = await burrow.importText(raindrop, { format: 'raindrop-csv' });
        const refused = await burrow
          .importText('<p>no list', { format: 'bookmarks-html' })
          .catch((e: Error) => e.message);
        const unknown = await burrow.importText('', { format: 'opml' }).catch((e: Error) => e.message);
        return {
          first,
          again,
          csv,
          refused,
          unknown,
          html: await burrow.exportText({ format: 'bookmarks-html' }),
          json: JSON.parse(await burrow.exportText({ format: 'burrow-json' })) as { cards: unknown[] },
          csvOut: await burrow.exportText({ format: 'csv' }),
        };
      },
      { bookmarks, raindrop },
    );
    expect(outcome.first).toEqual({ cards: 7, collections: 4, todos: 0, events: 0, skipped: 2 });
    expect(outcome.again).toEqual({ cards: 0, collections: 0, todos: 0, events: 0, skipped: 10 });
    expect(outcome.csv).toMatchObject({ cards: 3, collections: 3, skipped: 1 });
    expect(outcome.refused).toMatch(/not a browser bookmarks export/);
    expect(outcome.unknown).toMatch(/Unknown import format “opml”/);
    // The folder keeps the date it had in the file.
    expect(outcome.html).toContain('<DT><H3 ADD_DATE="1700000320">Deep &quot;nested&quot; folder</H3>');
    expect(outcome.json.cards).toHaveLength(10);
    expect(outcome.csvOut).toContain('"Zürich, explained","My note\non two lines"');

    // The view shows what the console imported.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Switzerland' }).click();
    await card(page, 'Zürich, explained').waitFor();
    await device.close();
  });

  it('finishes an import cut short by a closed tab and then a reload, exactly once, showing its progress', async () => {
    const device = await rig.browser.newDevice();
    await recordToasts(device);
    let page = await openBurrow(rig, device);
    await goTo(page, 'Import and export');
    await page.getByLabel('Browser bookmarks (bookmarks.html)').setInputFiles({
      name: 'big.html',
      mimeType: 'text/html',
      buffer: Buffer.from(generatedBookmarks(5, 1000)),
    });
    // Cut short once a first chunk or few of links is in (of ten, 500 each): the tab closes.
    await page.getByText(/Importing… (505|1,005|1,505|2,005) of 5,005/).waitFor();
    await page.close();

    page = await openBurrow(rig, device);
    const resuming = page.getByRole('status').filter({ hasText: 'Resuming the import of big.html' });
    await resuming.filter({ hasText: /: [1-9][0-9,]* of 5,005/ }).waitFor();
    // And again, while it resumes, with chunks still to go: a reload. (Waiting here for screenshots
    // let a loaded machine finish the import first, and the reload then tested nothing.)
    const [job, ...others] = await importProgress(page);
    const [done, total] = job.split('/').map(Number);
    expect([others.length, total]).toEqual([0, 5005]);
    expect(done).toBeLessThanOrEqual(3505);
    await page.reload();
    await resuming.filter({ hasText: /: [1-9][0-9,]* of 5,005/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        await page.screenshot({ path: screenshotPath(`import-resume-${width}-${colorScheme}`) });
      }
    }
    await resuming.waitFor({ state: 'detached' });
    // Its summary was shown once (a toast leaves after a few seconds: the tab's record of them).
    expect(await toastsSeen(page)).toEqual(['Finished importing big.html. Imported 5,000 cards, 5 collections.']);
    expect(await importProgress(page)).toEqual([]);

    const counts = await page.evaluate(async () => {
      const { burrow } = globalThis as unknown as BurrowWindow;
      const cards = await burrow.list('cards');
      const collections = await burrow.list('collections');
      return {
        cards: cards.length,
        urls: new Set(cards.map((card) => card.fields.url)).size,
        collections: collections.length,
      };
    });
    expect(counts).toEqual({ cards: 5000, urls: 5000, collections: 5 });

    // Opening the app again finds nothing left to do.
    await page.reload();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    expect(await page.getByText('Resuming the import').count()).toBe(0);
    await device.close();
  });
});

/** Records the text of every toast that shows in the device's tabs, across reloads (source text: it runs in the page). */
async function recordToasts(device: BrowserContext): Promise<void> {
  await device.addInitScript(`
    new MutationObserver(() => {
      const seen = JSON.parse(sessionStorage.getItem('toasts-seen') ?? '[]');
      const now = [...document.querySelectorAll('.toast span')].map((toast) => toast.textContent.trim());
      const added = now.filter((text) => !seen.includes(text));
      if (added.length > 0) sessionStorage.setItem('toasts-seen', JSON.stringify([...seen, ...added]));
    }).observe(document, { subtree: true, childList: true, characterData: true });
  `);
}

async function toastsSeen(page: Page): Promise<string[]> {
  return JSON.parse((await page.evaluate(`sessionStorage.getItem('toasts-seen')`)) ?? '[]');
}

/** The unfinished import jobs of the device, as `done/total` (source text: it runs in the page). */
async function importProgress(page: Page): Promise<string[]> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('burrow-imports');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const read = db.transaction('jobs').objectStore('jobs').getAll();
      read.onsuccess = () => {
        db.close();
        resolve(read.result.map((job) => job.done + '/' + job.total));
      };
    };
  })`);
}

/** A Chrome-style bookmarks.html of `folders` folders with `perFolder` links each. */
function generatedBookmarks(folders: number, perFolder: number): string {
  const lines = ['<!DOCTYPE NETSCAPE-Bookmark-file-1>', '<TITLE>Bookmarks</TITLE>', '<H1>Bookmarks</H1>', '<DL><p>'];
  for (let folder = 0; folder < folders; folder++) {
    lines.push(`    <DT><H3 ADD_DATE="1700000000">Folder ${folder}</H3>`, '    <DL><p>');
    for (let link = 0; link < perFolder; link++) {
      lines.push(
        `        <DT><A HREF="https://example.com/${folder}/${link}" ADD_DATE="1700000000">Link ${folder}.${link}</A>`,
      );
    }
    lines.push('    </DL><p>');
  }
  lines.push('</DL><p>');
  return lines.join('\n');
}
