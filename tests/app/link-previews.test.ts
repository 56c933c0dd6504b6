import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  articlePage,
  type FixtureSite,
  sendBytes,
  sendHtml,
  startFixtureSite,
  testImage,
} from '../../server/test-support/fixture-site.ts';
import { ensureAppBuilt, inPage, launchBrowser, openApp, type TestBrowser, waitFor } from '../support/browser.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { PASSWORD, uniqueEmail } from './app-rig.ts';

let site: FixtureSite;
let server: ServerProcess;
let browser: TestBrowser;

beforeAll(async () => {
  ensureAppBuilt();
  site = await startFixtureSite();
  site.route(
    '/article',
    sendHtml(
      articlePage(
        `<title>Burrows</title><meta name="description" content="How animals dig homes.">
         <meta property="og:image" content="/cover.png"><link rel="icon" href="/icon.png">`,
        'Burrows',
        [
          'Burrows are dug by many animals for shelter, and some of them are remarkably elaborate structures.',
          'A rabbit warren can hold dozens of animals, with nesting chambers, bolt holes and long galleries.',
          'Badgers keep their setts for generations; some in England are thought to be centuries old.',
        ],
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

describe('link previews in the browser', () => {
  it('gives a link created offline its preview after sync, and its images show offline', async () => {
    const device = await browser.newDevice();
    const page = await openApp(device, server.url);
    await inPage(page, (burrow, arg) => burrow.signUp(arg.email, arg.password), {
      email: uniqueEmail('previews'),
      password: PASSWORD,
    });
    await device.setOffline(true);
    const url = `${site.origin}/article`;
    const id = await inPage(
      page,
      async (burrow, link) => {
        const fields = { kind: 'link', url: link, title: '127.0.0.1', content: '', tags: [], collectionIds: [] };
        return (await burrow.create('cards', { ...fields, pinned: false })).id;
      },
      url,
    );
    expect(site.hits('/article')).toBe(0);
    await device.setOffline(false);
    const fields = await waitFor(
      () =>
        inPage(
          page,
          async (burrow, cardId) => {
            const card = await burrow.get('cards', cardId);
            const status = (card?.fields.metadata as { status?: string } | undefined)?.status;
            return status === 'ready' && card && !card.pending ? card.fields : null;
          },
          id,
        ),
      { message: 'the preview to reach the device', timeoutMs: 60_000 },
    );
    expect(fields).toMatchObject({ title: 'Burrows', description: 'How animals dig homes.' });
    expect(fields.image).toMatch(/^\/media\/[0-9a-f]{64}\.webp$/);

    const image = fields.image as string;
    const online = await page.evaluate(async (path) => (await fetch(path)).status, image);
    expect(online).toBe(200);
    // The worker answers from the network first and stores the copy after (CacheFirst's put runs in
    // the event's waitUntil), so going offline before the copy is stored would ask the network.
    await waitFor(
      () =>
        page.evaluate(
          `caches.open('burrow-media').then((cache) => cache.match(${JSON.stringify(image)})).then((hit) => hit ? true : null)`,
        ),
      { message: 'the image in the worker cache' },
    );
    await device.setOffline(true);
    // no-store: past the browser's HTTP cache (the image is immutable there too), so only the worker's cache can answer.
    // Page functions run in the browser; the Node type-check has no DOM, so these go as source text.
    const offline =
      (await page.evaluate(`fetch(${JSON.stringify(image)}, { cache: 'no-store' }).then(async (response) => ({
      status: response.status,
      type: response.headers.get('content-type'),
      bytes: (await response.blob()).size,
    }))`)) as { status: number; type: string; bytes: number };
    expect(offline).toMatchObject({ status: 200, type: 'image/webp' });
    expect(offline.bytes).toBeGreaterThan(0);
    const cached = await page.evaluate(
      `caches.open('burrow-media').then((cache) => cache.match(${JSON.stringify(image)})).then(Boolean)`,
    );
    expect(cached).toBe(true);
    expect(site.requests.every((request) => request.userAgent?.startsWith('Burrow/'))).toBe(true);
    await device.setOffline(false);
  });
});
