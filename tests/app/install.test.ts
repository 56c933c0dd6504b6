import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('saves what is shared to /share as a link card, offline too', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    await device.setOffline(true);
    const shared = new URL('/share', rig.server.url);
    shared.search = new URLSearchParams({
      title: 'Shared page',
      text: 'Worth reading',
      url: 'https://example.com/shared',
    }).toString();
    await page.goto(shared.href);
    await page.getByText('Saved “Shared page” to your cards.').waitFor();
    await card(page, 'Shared page').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await device.close();
  });
});
