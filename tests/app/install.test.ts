import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage, waitForPage } from '../support/browser.ts';
import { type AppRig, addNote, card, openBurrow, startRig } from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

interface Manifest {
  name: string;
  short_name: string;
  start_url: string;
  display: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
  share_target: { action: string; method: string; enctype: string; params: Record<string, string> };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('installable PWA', () => {
  it('links a manifest that meets the install criteria, with real icons', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const response = await page.request.get(new URL(href!, rig.server.url).href);
    const manifest = (await response.json()) as Manifest;
    expect(manifest).toMatchObject({ name: 'Burrow', short_name: 'Burrow', start_url: '/', display: 'standalone' });
    expect(manifest.share_target).toEqual({
      action: '/share',
      method: 'GET',
      enctype: 'application/x-www-form-urlencoded',
      params: { title: 'title', text: 'text', url: 'url' },
    });
    for (const icon of manifest.icons) {
      const bytes = await (await page.request.get(new URL(icon.src, rig.server.url).href)).body();
      const [width, height] = pngSize(bytes);
      expect(`${width}x${height}`).toBe(icon.sizes);
    }
    expect(manifest.icons.map((icon) => icon.purpose)).toEqual(['any', 'any', 'maskable']);
    const session = await device.newCDPSession(page);
    const { errors } = (await session.send('Page.getAppManifest')) as { errors: { message: string }[] };
    expect(errors).toEqual([]);
    const { installabilityErrors } = (await session.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    // Playwright's contexts are incognito profiles; that one is about the test browser, not the app.
    expect(installabilityErrors.filter((error) => error.errorId !== 'in-incognito')).toEqual([]);
    await device.close();
  });

  it('is controlled by the worker and renders from cache when offline', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    expect(await page.evaluate('navigator.serviceWorker.controller !== null')).toBe(true);
    await addNote(page, 'Kept offline', 'still here');
    await device.setOffline(true);
    await page.reload();
    await card(page, 'Kept offline').waitFor();
    await page.goto(new URL('/todos', rig.server.url).href);
    await page.getByRole('heading', { level: 1, name: 'Todos' }).waitFor();
    await device.close();
  });

  it('opens what is shared to /share in the editor, saving nothing until the person saves, offline too', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    await device.setOffline(true);
    const shared = new URL('/share', rig.server.url);
    shared.search = new URLSearchParams({
      title: 'Shared page',
      text: 'Worth reading',
      url: 'https://evil.example/login',
    }).toString();
    const cardsAndOutbox = () =>
      inPage(page, async (burrow) => {
        await burrow.ready;
        const cards = await burrow.list('cards', { includeDeleted: true });
        const pending = await burrow.pendingMutations();
        return { cards: cards.length, pendingCards: pending.filter((entry) => entry.table === 'cards').length };
      });

    // Another site sends the browser to /share: the editor opens prefilled, and nothing is written.
    await page.goto('about:blank');
    await page.evaluate(`location.assign(${JSON.stringify(shared.href)})`);
    const dialog = page.getByRole('dialog', { name: 'New link' });
    await dialog.waitFor();
    await dialog.getByText('nothing is saved until you press Save').waitFor();
    expect(await dialog.getByLabel('URL').inputValue()).toBe('https://evil.example/login');
    expect(await dialog.getByLabel('Title').inputValue()).toBe('Shared page');
    expect(await dialog.getByLabel('Description').inputValue()).toBe('Worth reading');
    await waitForPage(page, 'location.pathname === "/"', { message: 'the share route to be left' });
    expect(await cardsAndOutbox()).toEqual({ cards: 0, pendingCards: 0 });

    // Cancelling leaves nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await cardsAndOutbox()).toEqual({ cards: 0, pendingCards: 0 });

    // Shared again and saved: one card.
    await page.goto(shared.href);
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card(page, 'Shared page').waitFor();
    expect(await cardsAndOutbox()).toEqual({ cards: 1, pendingCards: 1 });
    await device.close();
  });
});
