/**
 * Link cards in the browser: what a saved link shows (cover, favicon, site, title, description,
 * the preview's state), its title opening the page, and its pictures offline. Real Chromium,
 * real worker, the server fetching from a fixture site on loopback.
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  articlePage,
  type FixtureSite,
  sendBytes,
  sendHtml,
  startFixtureSite,
  testImage,
} from '../../server/test-support/fixture-site.ts';
import { ensureAppBuilt, launchBrowser, openApp, type TestBrowser, waitFor } from '../support/browser.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { card, screenshotPath, signIn, uniqueEmail } from './app-rig.ts';
import { seriousViolations } from './axe-check.ts';

let site: FixtureSite;
let server: ServerProcess;
let browser: TestBrowser;

const ARTICLE = [
  'Burrows are dug by many animals for shelter, and some of them are remarkably elaborate structures.',
  'A rabbit warren can hold dozens of animals, with nesting chambers, bolt holes and long galleries.',
  'Badgers keep their setts for generations; some in England are thought to be centuries old.',
];

beforeAll(async () => {
  ensureAppBuilt();
  site = await startFixtureSite();
  site.route(
    '/article',
    sendHtml(
      articlePage(
        `<title>Burrows</title><meta name="description" content="How animals dig homes.">
         <meta property="og:site_name" content="Animal Homes">
         <meta property="og:image" content="/cover.png"><link rel="icon" href="/icon.png">`,
        'Burrows',
        ARTICLE,
      ),
    ),
  );
  site.route('/cover.png', sendBytes(await testImage('png', 400, 300), 'image/png'));
  site.route('/icon.png', sendBytes(await testImage('png', 32, 32), 'image/png'));
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

/** A signed-in device with the app open at 1280 px. */
async function signedInDevice(label: string): Promise<{ device: BrowserContext; page: Page }> {
  const device = await browser.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openApp(device, server.url);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await signIn(page, uniqueEmail(label), 'Create account');
  return { device, page };
}

/** Saves a link through the editor with only its URL typed (the title is the server's to fill). */
async function saveLink(page: Page, url: string): Promise<void> {
  await page.getByRole('button', { name: 'New link' }).click();
  const dialog = page.getByRole('dialog', { name: 'New link' });
  await dialog.getByLabel('URL').fill(url);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** Whether `image` has loaded a real picture (not a broken icon). */
function loaded(image: Locator): Promise<boolean> {
  return image.evaluate((element) => {
    const picture = element as unknown as { complete: boolean; naturalWidth: number };
    return picture.complete && picture.naturalWidth > 0;
  });
}

describe('link cards', () => {
  it('show the cover, favicon, site name, title and description, and open the page from the title', async () => {
    const { device, page } = await signedInDevice('cards');
    const url = `${site.origin}/article`;
    await saveLink(page, url);
    const burrows = card(page, 'Burrows');
    await burrows.waitFor({ timeout: 60_000 });

    const cover = burrows.locator('img.card-cover');
    const favicon = burrows.locator('img.card-favicon');
    expect(await cover.getAttribute('src')).toMatch(/^\/media\/[0-9a-f]{64}\.webp$/);
    expect(await favicon.getAttribute('src')).toMatch(/^\/media\/[0-9a-f]{64}\.webp$/);
    await waitFor(() => loaded(cover), { message: 'the cover to load' });
    await waitFor(() => loaded(favicon), { message: 'the favicon to load' });
    await burrows.getByText('Animal Homes', { exact: true }).waitFor();
    await burrows.getByText('How animals dig homes.', { exact: true }).waitFor();

    const title = burrows.getByRole('link', { name: 'Burrows', exact: true });
    expect(await title.getAttribute('href')).toBe(url);
    expect(await title.getAttribute('target')).toBe('_blank');
    expect((await title.getAttribute('rel'))?.split(' ')).toContain('noopener');
    const [opened] = await Promise.all([device.waitForEvent('page'), title.click()]);
    await opened.waitForLoadState();
    expect(opened.url()).toBe(url);
    await opened.close();
    expect(await page.getByRole('dialog').count()).toBe(0);

    await burrows.getByRole('button', { name: 'Edit Burrows' }).click();
    const editor = page.getByRole('dialog', { name: 'Edit link' });
    expect(await editor.getByLabel('URL').inputValue()).toBe(url);
    await editor.getByRole('button', { name: 'Close' }).click();
    await editor.waitFor({ state: 'detached' });

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        expect(await seriousViolations(page)).toEqual([]);
        await page.screenshot({ path: screenshotPath(`link-cards-${width}-${colorScheme}`) });
      }
    }
    for (const layout of ['List', 'Compact'] as const) {
      await page.getByText(layout, { exact: true }).click();
      await page.locator(`.cards-${layout.toLowerCase()}`).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath(`link-cards-${layout.toLowerCase()}-1280-dark`) });
    }
    await device.close();
  });

  it('get their preview after a link saved offline syncs, and keep the title the person wrote', async () => {
    const { device, page } = await signedInDevice('offline-saved');
    await device.setOffline(true);
    await page.getByRole('button', { name: 'New link' }).click();
    const editor = page.getByRole('dialog', { name: 'New link' });
    await editor.getByLabel('URL').fill(`${site.origin}/article`);
    await editor.getByLabel('Title').fill('Where badgers live');
    await editor.getByRole('button', { name: 'Done' }).click();
    await editor.waitFor({ state: 'detached' });
    const saved = card(page, 'Where badgers live');
    await saved.waitFor();
    expect(await saved.locator('img').count()).toBe(0);

    await device.setOffline(false);
    const cover = saved.locator('img.card-cover');
    await cover.waitFor({ timeout: 60_000 });
    await waitFor(() => loaded(cover), { message: 'the cover to load' });
    await saved.getByText('How animals dig homes.', { exact: true }).waitFor();
    await saved.getByText('Animal Homes', { exact: true }).waitFor();
    expect(await saved.getByRole('link', { name: 'Where badgers live', exact: true }).count()).toBe(1);
    expect(await card(page, 'Burrows').count()).toBe(0);
    await device.close();
  });

  it("show a failed preview's reason quietly", async () => {
    const { device, page } = await signedInDevice('failed');
    await saveLink(page, `${site.origin}/gone`);
    const gone = card(page, '127.0.0.1');
    await gone.getByText(/^No preview: 127\.0\.0\.1:\d+ answered HTTP 404\.$/).waitFor({ timeout: 60_000 });
    expect(await gone.locator('img').count()).toBe(0);
    await device.close();
  });

  it('refresh on request: pending while the server fetches, then the new preview; offline, a reason and nothing changed', async () => {
    let release: (() => void) | null = null;
    let revised = false;
    site.route('/warrens', async (_request, response) => {
      if (revised) await new Promise<void>((resolve) => (release = resolve));
      const title = revised ? 'Warrens and setts' : 'Warrens';
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(articlePage(`<title>${title}</title>`, title, ARTICLE));
    });
    const { device, page } = await signedInDevice('refresh');
    await saveLink(page, `${site.origin}/warrens`);
    const warrens = card(page, 'Warrens');
    await warrens.waitFor({ timeout: 60_000 });

    revised = true;
    await warrens.getByRole('button', { name: 'Refresh the preview of Warrens' }).click();
    await page.getByText('Fetching the preview of “Warrens” again.').waitFor();
    await warrens.getByText('Fetching the preview…', { exact: true }).waitFor({ timeout: 30_000 });
    await waitFor(() => release, { message: 'the server to fetch the page again' });
    release!();
    const revisedCard = card(page, 'Warrens and setts');
    await revisedCard.waitFor({ timeout: 60_000 });
    expect(await revisedCard.getByText('Fetching the preview…').count()).toBe(0);

    await device.setOffline(true);
    const before = site.hits('/warrens');
    await revisedCard.getByRole('button', { name: 'Refresh the preview of Warrens and setts' }).click();
    await page.getByText('You are offline: Refresh needs the server. Try again once you are back online.').waitFor();
    expect(await revisedCard.getByText('Fetching the preview…').count()).toBe(0);
    expect(site.hits('/warrens')).toBe(before);
    await device.setOffline(false);
    await device.close();
  });

  it('say so when the server fetches no previews (503 previews-off), and change nothing', async () => {
    const quiet = await startServer({ env: { BURROW_UNFURL: '0' } });
    const device = await browser.newDevice();
    try {
      const page = await openApp(device, quiet.url);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await signIn(page, uniqueEmail('off'), 'Create account');
      await saveLink(page, `${site.origin}/article`);
      const plain = card(page, '127.0.0.1');
      await plain.waitFor();
      await waitFor(() => page.evaluate('window.burrow.flush().then((status) => status.pending === 0)'), {
        message: 'the link to reach the server',
      });
      await plain.getByRole('button', { name: 'Refresh the preview of 127.0.0.1' }).click();
      await page.getByText('This server does not fetch link previews.').waitFor();
      expect(await plain.getByText('Fetching the preview…').count()).toBe(0);
    } finally {
      await device.close();
      await quiet.stop();
    }
  });

  it('open the article text in a reading view, by keyboard, as text, and close on Esc', async () => {
    const inert = 'Some pages quote markup: <img src=x onerror="document.title=1"> stays words here.';
    site.route(
      '/setts',
      sendHtml(
        articlePage('<title>Setts</title><meta property="og:site_name" content="Animal Homes">', 'Setts', [
          ...ARTICLE,
          inert.replaceAll('<', '&lt;').replaceAll('>', '&gt;'),
        ]),
      ),
    );
    const { device, page } = await signedInDevice('reading');
    await saveLink(page, `${site.origin}/setts`);
    const setts = card(page, 'Setts');
    await setts.waitFor({ timeout: 60_000 });

    await setts.getByRole('button', { name: 'Read Setts' }).focus();
    await page.keyboard.press('Enter');
    const reader = page.getByRole('dialog', { name: 'Setts' });
    const text = reader.getByRole('article', { name: 'Text of Setts' });
    await text.waitFor();
    expect(await text.locator('p').allTextContents()).toEqual([...ARTICLE, inert]);
    expect(await reader.locator('img').count()).toBe(0);
    const original = reader.getByRole('link', { name: 'Open the page' });
    expect(await original.getAttribute('href')).toBe(`${site.origin}/setts`);
    expect(await original.getAttribute('target')).toBe('_blank');
    await text.focus();
    expect(await text.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        expect(await seriousViolations(page)).toEqual([]);
        await page.screenshot({ path: screenshotPath(`reading-view-${width}-${colorScheme}`) });
      }
    }
    await page.keyboard.press('Escape');
    await reader.waitFor({ state: 'detached' });
    expect(await page.title()).not.toBe('1');
    await device.close();
  });

  it('take a bare address typed in the link field as https, and refuse a bare word', async () => {
    // Signed out: nothing reaches the server, so no preview of github.com is fetched (loopback only here).
    const device = await browser.newDevice();
    const page = await openApp(device, server.url);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.getByRole('button', { name: 'New link' }).click();
    const editor = page.getByRole('dialog', { name: 'New link' });
    await editor.getByLabel('URL').fill('karakeep');
    await editor.getByRole('button', { name: 'Done' }).click();
    await editor.getByText('Link must be an http(s) URL').first().waitFor();
    await editor.getByLabel('URL').fill('  github.com/karakeep-app/karakeep ');
    await editor.getByRole('button', { name: 'Done' }).click();
    await editor.waitFor({ state: 'detached' });
    const saved = card(page, 'github.com');
    await saved.waitFor();
    const title = saved.getByRole('link', { name: 'github.com', exact: true });
    expect(await title.getAttribute('href')).toBe('https://github.com/karakeep-app/karakeep');
    const stored = await page.evaluate(
      "window.burrow.list('cards').then((cards) => cards.map((card) => card.fields.url))",
    );
    expect(stored).toEqual(['https://github.com/karakeep-app/karakeep']);
    await device.close();
  });

  it('show their pictures offline, from the worker’s media cache', async () => {
    const { device, page } = await signedInDevice('offline');
    await saveLink(page, `${site.origin}/article`);
    const cover = card(page, 'Burrows').locator('img.card-cover');
    await cover.waitFor({ timeout: 60_000 });
    await waitFor(() => loaded(cover), { message: 'the cover to load online' });
    // The worker stores its copy after answering (CacheFirst's put runs in the event's waitUntil).
    const pictures = [cover, card(page, 'Burrows').locator('img.card-favicon')];
    const paths = await Promise.all(pictures.map((picture) => picture.getAttribute('src')));
    await waitFor(
      () =>
        page.evaluate(
          `caches.open('burrow-media').then((cache) => Promise.all(${JSON.stringify(paths)}.map((path) => cache.match(path)))).then((hits) => hits.every(Boolean) || null)`,
        ),
      { message: 'the pictures in the worker cache' },
    );

    await device.setOffline(true);
    await page.reload();
    const offlineCover = card(page, 'Burrows').locator('img.card-cover');
    await offlineCover.waitFor();
    await waitFor(() => loaded(offlineCover), { message: 'the cover to load offline' });
    await waitFor(() => loaded(card(page, 'Burrows').locator('img.card-favicon')), {
      message: 'the favicon to load offline',
    });
    await device.setOffline(false);
    await device.close();
  });
});
