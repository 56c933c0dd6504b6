/**
 * Search in the browser, as a person types it: every field of a card, the article text the
 * server fetched included, ignoring case and accents. Real Chromium, worker and server, the
 * server fetching from a fixture site on loopback.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePage, type FixtureSite, sendHtml, startFixtureSite } from '../../server/test-support/fixture-site.ts';
import { ensureAppBuilt, launchBrowser, openApp, type TestBrowser } from '../support/browser.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { addNote, card, signIn, uniqueEmail } from './app-rig.ts';

let site: FixtureSite;
let server: ServerProcess;
let browser: TestBrowser;

beforeAll(async () => {
  ensureAppBuilt();
  site = await startFixtureSite();
  site.route(
    '/trams',
    sendHtml(
      articlePage('<title>Trams</title><meta name="description" content="Blue tramways since 1882.">', 'Trams', [
        'The trams of Zürich run on a dense network, and most lines cross the old town at least once.',
        'Riders often stop for a coffee: the café by the Paradeplatz stop is older than the tram itself.',
        'The company keeps its historic cars running on summer Sundays for anyone who asks politely.',
      ]),
    ),
  );
  server = await startServer({
    env: { BURROW_UNFURL: '1', BURROW_UNFURL_ALLOW_PRIVATE: '1', BURROW_UNFURL_HOST_GAP_MS: '0' },
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await site?.close();
});

/**
 * Types `search` into the search box and returns the titles of the cards shown once they are
 * `expected` (the list updates a frame later), or as they are after a few seconds if never.
 */
async function shownFor(page: Page, search: string, expected: string[]): Promise<string[]> {
  await page.getByLabel('Search cards').fill(search);
  const cards = page.getByRole('list', { name: 'Cards' }).getByRole('article');
  const wanted = JSON.stringify([...expected].sort());
  let titles: string[] = [];
  const deadline = Date.now() + 5_000;
  do {
    const labels = await cards.evaluateAll((articles) => articles.map((article) => article.getAttribute('aria-label')));
    titles = labels.filter((title): title is string => title !== null).sort();
    if (JSON.stringify(titles) === wanted) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  return titles;
}

describe('search', () => {
  it('finds cards by title, description, URL, tags, content and article text, ignoring case and accents', async () => {
    const device = await browser.newDevice();
    const page = await openApp(device, server.url);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await signIn(page, uniqueEmail('search'), 'Create account');
    await page.getByRole('button', { name: 'New link' }).click();
    const editor = page.getByRole('dialog', { name: 'New link' });
    await editor.getByLabel('URL').fill(`${site.origin}/trams`);
    await editor.getByLabel('Tags').fill('Transit');
    await editor.getByRole('button', { name: 'Done' }).click();
    await card(page, 'Trams').waitFor({ timeout: 60_000 });
    await addNote(page, 'Café Landolt', 'Opposite the **Kunsthaus**.');

    expect(await shownFor(page, 'zurich', ['Trams'])).toEqual(['Trams']);
    expect(await shownFor(page, 'ZÜRICH', ['Trams'])).toEqual(['Trams']);
    expect(await shownFor(page, 'cafe', ['Café Landolt', 'Trams'])).toEqual(['Café Landolt', 'Trams']);
    expect(await shownFor(page, 'CAFÉ landolt', ['Café Landolt'])).toEqual(['Café Landolt']);
    expect(await shownFor(page, 'paradeplatz', ['Trams'])).toEqual(['Trams']);
    expect(await shownFor(page, 'tramways', ['Trams'])).toEqual(['Trams']);
    expect(await shownFor(page, '127.0.0.1', ['Trams'])).toEqual(['Trams']);
    expect(await shownFor(page, '#transit', ['Trams'])).toEqual(['Trams']);
    expect(await shownFor(page, 'kunsthaus', ['Café Landolt'])).toEqual(['Café Landolt']);
    expect(await shownFor(page, 'zurich landolt', [])).toEqual([]);
    await device.close();
  });
});
