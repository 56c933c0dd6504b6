import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Envelope, newId, type PreviewMetadata } from '../protocol/index.ts';
import { silentLogger } from './logger.ts';
import { MEDIA_GRACE_MS, runMaintenance } from './maintenance.ts';
import { MediaStore, toWebp } from './previews/media-store.ts';
import { PageExtractor } from './previews/page-extractor.ts';
import { READING_BUDGET_MS, type RunningPreviews, startPreviews } from './previews/start-previews.ts';
import {
  articlePage,
  type FixtureSite,
  htmlPage,
  sendBytes,
  sendHtml,
  startFixtureSite,
  testImage,
} from './test-support/fixture-site.ts';
import {
  json,
  linkCard,
  noteCard,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from './test-support/test-server.ts';

const UNFURL_ENV = { BURROW_UNFURL_ALLOW_PRIVATE: '1', BURROW_UNFURL_HOST_GAP_MS: '0', BURROW_UNFURL_RETRY_MS: '20' };
const PARAGRAPHS = [
  'Burrows are dug by many animals for shelter, and some of them are remarkably elaborate structures.',
  'A rabbit warren can hold dozens of animals, with nesting chambers, bolt holes and long galleries.',
  'Badgers keep their setts for generations; some in England are thought to be centuries old.',
];

/** One page-reading thread for the file: starting one costs seconds (tsx compiles its code). */
let extractor: PageExtractor;
// Loading the thread's code (tsx compiles it) takes seconds on a busy machine: a setup cost, once per file.
beforeAll(async () => {
  extractor = new PageExtractor(READING_BUDGET_MS);
  await extractor.ready();
}, 120_000);
afterAll(() => extractor.close());

let site: FixtureSite;
let server: TestServer;
let previews: RunningPreviews;
let user: TestUser;

async function startPreviewsFor(env: Record<string, string> = UNFURL_ENV) {
  server = startTestServer(env);
  previews = await startPreviews(
    server.store,
    server.config,
    silentLogger,
    new MediaStore(path.join(server.dir, 'media')),
  );
  user = await signUp(server);
}

beforeEach(async () => {
  site = await startFixtureSite();
  site.route(
    '/article',
    sendHtml(
      articlePage(
        `<title>Burrows</title><meta name="description" content="How animals dig homes.">
         <meta property="og:site_name" content="Field Notes"><meta property="og:image" content="/cover.png">
         <link rel="icon" href="/icon.png">`,
        'Burrows',
        PARAGRAPHS,
      ),
    ),
  );
  site.route('/cover.png', sendBytes(await testImage('png', 400, 300), 'image/png'));
  site.route('/icon.png', sendBytes(await testImage('png', 32, 32), 'image/png'));
});

afterEach(async () => {
  await previews?.stop();
  await server?.close();
  await site.close();
});

async function getCard(id: string, as = user): Promise<Envelope> {
  return json(await as.send(`/api/cards/${id}`));
}

/** Waits until the card's preview is settled (ready or failed); a deadline, not a timed assertion. */
async function settled(id: string, predicate = (card: Envelope) => isSettled(card), as = user): Promise<Envelope> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const card = await getCard(id, as);
    if (predicate(card)) return card;
    if (Date.now() > deadline) throw new Error(`card ${id} never settled: ${JSON.stringify(card)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function isSettled(card: Envelope): boolean {
  const status = (card.fields.metadata as PreviewMetadata | undefined)?.status;
  return status === 'ready' || status === 'failed';
}

async function createLink(url: string, overrides: Record<string, unknown> = {}) {
  const recordId = newId();
  const response = await user.push([{ op: 'create', table: 'cards', recordId, fields: linkCard(url, overrides) }]);
  expect(response.results[0].status).toBe('applied');
  return recordId;
}

function refresh(id: string, as = user) {
  return as.send(`/api/cards/${id}/refresh`, { method: 'POST' });
}

describe('link previews', () => {
  describe('the fetch as a server write', () => {
    it('fills a new link card with a new version through the change feed', async () => {
      await startPreviewsFor();
      const pokes: string[][] = [];
      server.store.onCommit((notice) => pokes.push(notice.userIds));
      const id = await createLink(`${site.origin}/article`, { title: '127.0.0.1' });
      const card = await settled(id);
      expect(card.version).toBe(2);
      expect(card.fields).toMatchObject({
        title: 'Burrows',
        description: 'How animals dig homes.',
        siteName: 'Field Notes',
        articleText: PARAGRAPHS.join('\n\n'),
        metadata: { status: 'ready', canonicalUrl: null, publishedAt: null, error: null },
      });
      expect(card.fields.image).toMatch(/^\/media\/[0-9a-f]{64}\.webp$/);
      expect(card.fields.favicon).toMatch(/^\/media\/[0-9a-f]{64}\.webp$/);
      expect(pokes.at(-1)).toEqual([user.id]);
      const pulled = await json(await user.send('/api/sync/pull?cursor=0'));
      expect(pulled.changes.find((change: Envelope) => change.id === id)).toMatchObject({ version: 2 });
    });

    it('names Burrow in the User-Agent', async () => {
      await startPreviewsFor();
      await settled(await createLink(`${site.origin}/article`));
      expect(site.requests.find((request) => request.path === '/article')?.userAgent).toMatch(/^Burrow\//);
    });

    it('fetches for a REST create and for a URL change', async () => {
      await startPreviewsFor();
      site.route('/other', sendHtml(htmlPage('<title>Other page</title>')));
      const response = await user.send('/api/cards', {
        method: 'POST',
        headers: { 'idempotency-key': newId() },
        body: { workspaceId: user.workspaceId, fields: linkCard(`${site.origin}/other`, { title: '' }) },
      });
      const created = await json(response);
      expect((await settled(created.id)).fields.title).toBe('Other page');
      const id = await createLink(`${site.origin}/article`, { title: '' });
      expect((await settled(id)).fields.title).toBe('Burrows');
      site.route('/third', sendHtml(htmlPage('<title>Third page</title>')));
      const update = await user.push([
        { op: 'update', table: 'cards', recordId: id, baseVersion: 2, fields: { url: `${site.origin}/third#x` } },
      ]);
      expect(update.results[0].status).toBe('applied');
      const moved = await settled(id, (card) => card.fields.title === 'Third page');
      // The server's values from the old page go where the new page has none.
      expect(moved.fields).toMatchObject({
        description: null,
        siteName: null,
        image: null,
        articleText: 'Nothing here.',
      });
    });
  });

  describe('the metadata rule', () => {
    it('keeps the title the person wrote, and fills the empty fields', async () => {
      await startPreviewsFor();
      const id = await createLink(`${site.origin}/article`, { title: 'My own title', description: null });
      const card = await settled(id);
      expect(card.fields).toMatchObject({ title: 'My own title', description: 'How animals dig homes.' });
    });

    it('replaces its own earlier value with a better one, never the person’s', async () => {
      await startPreviewsFor();
      site.route('/changing', sendHtml(htmlPage('<title>First</title>')));
      const id = await createLink(`${site.origin}/changing`, { title: '' });
      const first = await settled(id);
      expect([first.fields.title, first.fields.description ?? null]).toEqual(['First', null]);
      site.route(
        '/changing',
        sendHtml(htmlPage('<title>Second</title><meta name="description" content="Now described">')),
      );
      expect((await refresh(id)).status).toBe(202);
      const second = await settled(id, (card) => card.fields.title === 'Second');
      expect(second.fields.description).toBe('Now described');
      await user.push([
        { op: 'update', table: 'cards', recordId: id, baseVersion: second.version, fields: { title: 'Mine now' } },
      ]);
      site.route('/changing', sendHtml(htmlPage('<title>Third</title><meta name="description" content="Third">')));
      await refresh(id);
      const third = await settled(id, (card) => card.fields.description === 'Third');
      expect(third.fields.title).toBe('Mine now');
    });

    it('gives a device that edited offline no conflict: untouched fields, and a title the server filled meanwhile', async () => {
      await startPreviewsFor();
      const id = await createLink(`${site.origin}/article`, { title: '127.0.0.1' });
      const filled = await settled(id);
      expect(filled.fields.title).toBe('Burrows');
      // Both edits were made offline at version 1, before the preview arrived.
      const response = await user.push([
        { op: 'update', table: 'cards', recordId: id, baseVersion: 1, fields: { tags: ['reading'] } },
        { op: 'update', table: 'cards', recordId: id, baseVersion: 1, fields: { title: 'Offline title' } },
      ]);
      expect(response.results.map((result) => result.status)).toEqual(['applied', 'applied']);
      const card = await getCard(id);
      expect(card.fields).toMatchObject({ title: 'Offline title', tags: ['reading'], siteName: 'Field Notes' });
    });
  });

  describe('failures', () => {
    it('marks a page that cannot be had failed with a readable error, fields untouched', async () => {
      await startPreviewsFor();
      const id = await createLink(`${site.origin}/missing`, { title: 'Kept' });
      const card = await settled(id);
      expect(card.fields.metadata).toMatchObject({
        status: 'failed',
        error: `${new URL(site.origin).host} answered HTTP 404.`,
      });
      expect(card.fields.title).toBe('Kept');
    });

    it('retries a transient failure with backoff, and succeeds', async () => {
      await startPreviewsFor();
      let calls = 0;
      site.route('/flaky', (_request, response) => {
        calls++;
        if (calls < 3) {
          response.writeHead(503, { 'content-type': 'text/plain' });
          response.end('busy');
        } else sendHtml(htmlPage('<title>Back</title>'))(_request, response);
      });
      const card = await settled(await createLink(`${site.origin}/flaky`, { title: '' }));
      expect(card.fields).toMatchObject({ title: 'Back', metadata: { status: 'ready' } });
      expect(calls).toBe(3);
    });

    it('gives up after a bounded number of attempts', async () => {
      await startPreviewsFor();
      site.route('/down', (_request, response) => {
        response.writeHead(503);
        response.end();
      });
      const card = await settled(await createLink(`${site.origin}/down`));
      expect(card.fields.metadata).toMatchObject({ status: 'failed', error: expect.stringContaining('HTTP 503') });
      expect(site.hits('/down')).toBe(4);
    });

    it('refuses a loopback site when private targets are not allowed (the default)', async () => {
      await startPreviewsFor({ BURROW_UNFURL_HOST_GAP_MS: '0' });
      const card = await settled(await createLink(`${site.origin}/article`));
      expect((card.fields.metadata as PreviewMetadata).error).toContain('loopback address');
      expect(site.hits('/article')).toBe(0);
    });
  });

  describe('POST /api/cards/:id/refresh', () => {
    it('answers 202 with the card pending at once, then ready', async () => {
      await startPreviewsFor();
      const id = await createLink(`${site.origin}/article`);
      await settled(id);
      const response = await refresh(id);
      expect(response.status).toBe(202);
      expect(await json(response)).toEqual({ status: 'pending' });
      const after = await settled(id, (card) => card.version >= 4);
      expect(after.fields.metadata).toMatchObject({ status: 'ready' });
    });

    it('answers 404 alike for not yours, not there, not a UUID, a note and a deleted card', async () => {
      await startPreviewsFor();
      const id = await createLink(`${site.origin}/article`);
      const note = newId();
      await user.push([{ op: 'create', table: 'cards', recordId: note, fields: noteCard() }]);
      const other = await signUp(server);
      const answers = [await refresh(id, other), await refresh(newId()), await refresh('nope'), await refresh(note)];
      await user.push([{ op: 'delete', table: 'cards', recordId: id, baseVersion: 1 }]);
      answers.push(await refresh(id));
      expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404]);
      expect(new Set(await Promise.all(answers.map(async (answer) => (await json(answer)).code)))).toEqual(
        new Set(['not-found']),
      );
    });

    it('counts against the write limit', async () => {
      await startPreviewsFor({ ...UNFURL_ENV, BURROW_WRITE_LIMIT: '3' });
      const id = await createLink(`${site.origin}/article`);
      const answers = [await refresh(id), await refresh(id), await refresh(id)];
      expect(answers.map((answer) => answer.status)).toEqual([202, 202, 429]);
      expect(answers[2].headers.get('retry-after')).toMatch(/^\d+$/);
    });

    it('needs a signed-in person, and says when previews are off', async () => {
      await startPreviewsFor({ BURROW_UNFURL: '0' });
      const id = await createLink(`${site.origin}/article`);
      expect((await server.request(`/api/cards/${id}/refresh`, { method: 'POST' })).status).toBe(401);
      const off = await refresh(id);
      expect(off.status).toBe(503);
      expect((await json(off)).code).toBe('previews-off');
      expect(site.hits('/article')).toBe(0);
    });
  });

  describe('media kept and bounded', () => {
    const hashOf = (mediaPath: unknown) => String(mediaPath).slice('/media/'.length, -'.webp'.length);
    const files = () => (existsSync(path.join(server.dir, 'media')) ? readdirSync(path.join(server.dir, 'media')) : []);

    it('deletes images no card refers to any more, after the grace period, and keeps those in use', async () => {
      await startPreviewsFor();
      site.route('/other', sendHtml(htmlPage('<title>Other</title><meta property="og:image" content="/other.png">')));
      site.route('/other.png', sendBytes(await testImage('png', 200, 100), 'image/png'));
      const kept = await settled(await createLink(`${site.origin}/article`));
      const droppedId = await createLink(`${site.origin}/other`);
      const dropped = await settled(droppedId);
      const [keptImage, droppedImage] = [hashOf(kept.fields.image), hashOf(dropped.fields.image)];
      expect(files()).toContain(`${droppedImage}.webp`);
      // The person clears the other card's cover: no card shows that image now.
      const cleared = await user.push([
        { op: 'update', table: 'cards', recordId: droppedId, baseVersion: dropped.version, fields: { image: null } },
      ]);
      expect(cleared.results[0].status).toBe('applied');

      // Within the grace period nothing goes; after it, the unused image goes and the rest stay.
      await runMaintenance(server.store, server.config, silentLogger, Date.now() + MEDIA_GRACE_MS / 2);
      expect(files()).toContain(`${droppedImage}.webp`);
      await runMaintenance(server.store, server.config, silentLogger, Date.now() + MEDIA_GRACE_MS + 60_000);
      expect(files()).not.toContain(`${droppedImage}.webp`);
      expect(files()).toContain(`${keptImage}.webp`);
      expect(files()).toContain(`${hashOf(kept.fields.favicon)}.webp`);
      expect((await user.send(`/media/${droppedImage}.webp`)).status).toBe(404);
      expect((await user.send(kept.fields.image as string)).status).toBe(200);
    });

    it('keeps the images of a card in the trash (a restore shows them again)', async () => {
      await startPreviewsFor();
      const card = await settled(await createLink(`${site.origin}/article`));
      const deleted = await user.push([{ op: 'delete', table: 'cards', recordId: card.id, baseVersion: card.version }]);
      expect(deleted.results[0].status).toBe('applied');
      await runMaintenance(server.store, server.config, silentLogger, Date.now() + MEDIA_GRACE_MS + 60_000);
      expect(files()).toContain(`${hashOf(card.fields.image)}.webp`);
      expect((await user.send(card.fields.image as string)).status).toBe(200);
    });

    it('stops storing a person’s pictures past their media quota, and says so on the card', async () => {
      // Room for the first preview's pictures (its cover and icon as stored), not for another cover.
      const stored = [
        await toWebp(await testImage('png', 400, 300), 'cover'),
        await toWebp(await testImage('png', 32, 32), 'favicon'),
      ];
      const quota = stored.reduce((sum, webp) => sum + webp.length, 0) + 1;
      await startPreviewsFor({ ...UNFURL_ENV, BURROW_MEDIA_QUOTA_BYTES: String(quota) });
      const first = await settled(await createLink(`${site.origin}/article`));
      expect(first.fields.image).toMatch(/^\/media\//);
      expect((first.fields.metadata as PreviewMetadata).error).toBeNull();
      site.route(
        '/second',
        sendHtml(htmlPage('<title>Second</title><meta property="og:image" content="/second.png">')),
      );
      site.route('/second.png', sendBytes(await testImage('png', 390, 290), 'image/png'));
      const second = await settled(await createLink(`${site.origin}/second`));
      expect(second.fields.image ?? null).toBeNull();
      expect((second.fields.metadata as PreviewMetadata).status).toBe('ready');
      expect((second.fields.metadata as PreviewMetadata).error).toMatch(/not kept.*limit/);
      // Another person's quota is their own.
      const other = await signUp(server);
      const recordId = newId();
      await other.push([{ op: 'create', table: 'cards', recordId, fields: linkCard(`${site.origin}/second`) }]);
      const theirs = await settled(recordId, undefined, other);
      expect(theirs.fields.image).toMatch(/^\/media\//);
    });
  });

  describe('GET /media/:file', () => {
    it('serves a card’s image to its owner, immutable, and 404 to anyone else or for anything else', async () => {
      await startPreviewsFor();
      const card = await settled(await createLink(`${site.origin}/article`));
      const image = card.fields.image as string;
      const mine = await user.send(image);
      expect(mine.status).toBe(200);
      expect(mine.headers.get('content-type')).toBe('image/webp');
      expect(mine.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await mine.arrayBuffer()).byteLength).toBeGreaterThan(0);
      const other = await signUp(server);
      const unknown = `/media/${'0'.repeat(64)}.webp`;
      const answers = await Promise.all([other.send(image), user.send(unknown), user.send('/media/x.png')]);
      expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
      expect((await server.request(image)).status).toBe(401);
    });

    it('serves a bearer token too', async () => {
      await startPreviewsFor();
      const card = await settled(await createLink(`${site.origin}/article`));
      const created = await json(await user.send('/api/auth/tokens', { method: 'POST', body: { name: 'script' } }));
      const response = await server.request(card.fields.favicon as string, {
        headers: { authorization: `Bearer ${created.token}` },
      });
      expect(response.status).toBe(200);
    });

    it('keeps the browser off linked sites: img-src is the app’s own, data: and blob:', async () => {
      await startPreviewsFor();
      const csp = (await server.request('/api/health')).headers.get('content-security-policy') ?? '';
      expect(csp).toContain("img-src 'self' data: blob:;");
    });
  });

  describe('the push path', () => {
    it('never waits on a fetch: pushes and REST writes finish while a fetch hangs', async () => {
      await startPreviewsFor();
      site.route('/hangs', () => {});
      await createLink(`${site.origin}/hangs`);
      const deadline = Date.now() + 20_000;
      while (site.hits('/hangs') === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(previews.runner?.active).toBe(1);
      const response = await user.push([{ op: 'create', table: 'cards', fields: noteCard() }]);
      expect(response.results[0].status).toBe('applied');
      const rest = await user.send('/api/cards', {
        method: 'POST',
        headers: { 'idempotency-key': newId() },
        body: { workspaceId: user.workspaceId, fields: noteCard() },
      });
      expect(rest.status).toBe(201);
      expect(previews.runner?.active).toBe(1);
    });
  });
});
