import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  articlePage,
  type FixtureSite,
  htmlPage,
  sendBytes,
  sendHtml,
  startFixtureSite,
  testIco,
  testImage,
} from '../test-support/fixture-site.ts';
import { MediaStore } from './media-store.ts';
import { PageExtractor } from './page-extractor.ts';
import { type UnfurlOptions, unfurl } from './unfurl.ts';
import { UnfurlError } from './unfurl-error.ts';

let extractor: PageExtractor;
// Loading the thread's code (tsx compiles it) takes seconds on a busy machine: a setup cost, once per file.
beforeAll(async () => {
  extractor = new PageExtractor(20_000);
  await extractor.ready();
}, 120_000);
afterAll(() => extractor.close());

let site: FixtureSite;
let dir: string;
let media: MediaStore;
beforeEach(async () => {
  site = await startFixtureSite();
  dir = mkdtempSync(path.join(tmpdir(), 'burrow-media-'));
  media = new MediaStore(dir);
});
afterEach(async () => {
  await site.close();
  rmSync(dir, { recursive: true, force: true });
});

const options = (): UnfurlOptions => ({
  allowPrivate: true,
  userAgent: 'Burrow test',
  timeoutMs: 5000,
  media,
  extractor,
});

const PARAGRAPHS = [
  'Burrows are dug by many animals for shelter, and some of them are remarkably elaborate structures.',
  'A rabbit warren can hold dozens of animals, with nesting chambers, bolt holes and long galleries.',
  'Badgers keep their setts for generations; some in England are thought to be centuries old.',
  'The soil they move changes the ground around them, mixing layers and letting water soak in.',
];

async function imageSize(mediaPath: string | null) {
  expect(mediaPath).toMatch(/^\/media\/[0-9a-f]{64}\.webp$/);
  const file = path.join(dir, path.basename(mediaPath!));
  const { format, width, height } = await sharp(file).metadata();
  return { format, width, height };
}

describe('unfurl', () => {
  describe('metadata', () => {
    it('reads Open Graph, the readable text, the cover and the icon', async () => {
      site.route(
        '/article',
        sendHtml(
          articlePage(
            `<title>Fallback title</title>
             <meta property="og:title" content="Burrows &amp; their builders">
             <meta property="og:description" content="How animals dig homes.">
             <meta property="og:site_name" content="Field Notes">
             <meta property="og:image" content="/cover.jpg">
             <meta property="article:published_time" content="2026-03-01T09:30:00+01:00">
             <link rel="canonical" href="https://fieldnotes.example/burrows">
             <link rel="icon" href="/icon.png" sizes="32x32">`,
            'Burrows and their builders',
            PARAGRAPHS,
          ),
        ),
      );
      site.route('/cover.jpg', sendBytes(await testImage('jpeg', 1600, 900), 'image/jpeg'));
      site.route('/icon.png', sendBytes(await testImage('png', 32, 32), 'image/png'));
      const preview = await unfurl(`${site.origin}/article`, options());
      expect(preview).toMatchObject({
        title: 'Burrows & their builders',
        description: 'How animals dig homes.',
        siteName: 'Field Notes',
        canonicalUrl: 'https://fieldnotes.example/burrows',
        publishedAt: '2026-03-01T08:30:00.000Z',
      });
      // Readability drops the heading that repeats the title, and the navigation and footer.
      expect(preview.articleText).toBe(PARAGRAPHS.join('\n\n'));
      expect(await imageSize(preview.image)).toEqual({ format: 'webp', width: 800, height: 450 });
      expect(await imageSize(preview.favicon)).toEqual({ format: 'webp', width: 64, height: 64 });
      expect(preview.media).toHaveLength(2);
    });

    it('falls back to <title>, meta description and JSON-LD, and to /favicon.ico', async () => {
      const ld = JSON.stringify({
        '@context': 'https://schema.org',
        '@graph': [
          { '@type': 'WebSite', name: 'The Site' },
          { '@type': 'Article', datePublished: '2025-12-24', image: { url: '/ld.png' } },
        ],
      });
      site.route(
        '/plain',
        sendHtml(
          htmlPage(
            `<title> Plain   page </title><meta name="description" content="Said plainly.">
             <script type="application/ld+json">${ld}</script>`,
          ),
        ),
      );
      site.route('/ld.png', sendBytes(await testImage('png', 300, 200), 'image/png'));
      site.route('/favicon.ico', sendBytes(await testIco(48), 'image/x-icon'));
      const preview = await unfurl(`${site.origin}/plain`, options());
      expect(preview).toMatchObject({
        title: 'Plain page',
        description: 'Said plainly.',
        siteName: 'The Site',
        publishedAt: '2025-12-24T00:00:00.000Z',
        canonicalUrl: null,
      });
      expect(await imageSize(preview.image)).toEqual({ format: 'webp', width: 300, height: 200 });
      expect(await imageSize(preview.favicon)).toEqual({ format: 'webp', width: 64, height: 64 });
    });

    it('decodes a page in the charset its header names', async () => {
      const html = htmlPage('<title>Caf\u00e9 Z\u00fcrich</title>');
      site.route('/latin', (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html; charset=windows-1252' });
        response.end(Buffer.from(html.replace('<meta charset="utf-8">', ''), 'latin1'));
      });
      expect((await unfurl(`${site.origin}/latin`, options())).title).toBe('Café Zürich');
    });

    it('cuts long values to the field limits and drops control characters', async () => {
      const long = 'word '.repeat(1000);
      site.route('/long', sendHtml(htmlPage(`<title>a\u0007b</title><meta name="description" content="${long}">`)));
      const preview = await unfurl(`${site.origin}/long`, options());
      expect(preview.title).toBe('ab');
      expect(Array.from(preview.description!).length).toBeLessThanOrEqual(2000);
      expect(preview.description!.endsWith('…')).toBe(true);
    });

    it('throws a readable error when the page cannot be had', async () => {
      const error = await unfurl(`${site.origin}/missing`, options()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnfurlError);
      expect((error as UnfurlError).message).toBe(`${new URL(site.origin).host} answered HTTP 404.`);
    });
  });

  describe('page reading', () => {
    it('ends a reading past its budget: never text, at most the metadata', async () => {
      const hurried = new PageExtractor(1);
      try {
        site.route('/article', sendHtml(articlePage('<title>Long</title>', 'Long', PARAGRAPHS)));
        const late = await unfurl(`${site.origin}/article`, { ...options(), extractor: hurried }).then(
          (preview) => preview.articleText,
          (error: unknown) => (error as Error).message,
        );
        expect([null, 'The page is too large to read in time.']).toContain(late);
      } finally {
        await hurried.close();
      }
    });
  });

  describe('images', () => {
    it.each(['png', 'jpeg', 'gif', 'webp'] as const)('stores a %s cover as WebP', async (format) => {
      site.route('/page', sendHtml(htmlPage(`<meta property="og:image" content="/cover.${format}">`)));
      site.route(`/cover.${format}`, sendBytes(await testImage(format, 400, 300), `image/${format}`));
      const preview = await unfurl(`${site.origin}/page`, options());
      expect(await imageSize(preview.image)).toEqual({ format: 'webp', width: 400, height: 300 });
    });

    it('stores the same image once, under its hash', async () => {
      site.route('/a', sendHtml(htmlPage('<meta property="og:image" content="/same.png">')));
      site.route('/b', sendHtml(htmlPage('<meta property="og:image" content="/same.png">')));
      site.route('/same.png', sendBytes(await testImage('png', 100, 100), 'image/png'));
      const [a, b] = [await unfurl(`${site.origin}/a`, options()), await unfurl(`${site.origin}/b`, options())];
      expect(a.image).toBe(b.image);
      expect(readdirSync(dir).filter((file) => file.endsWith('.webp'))).toHaveLength(1);
    });

    it('keeps no image when a non-image is served as image/png, and still gives the preview', async () => {
      site.route(
        '/page',
        sendHtml(htmlPage('<title>Has a fake</title><meta property="og:image" content="/fake.png">')),
      );
      site.route('/fake.png', sendBytes(Buffer.from('<html>not a picture</html>'), 'image/png'));
      const preview = await unfurl(`${site.origin}/page`, options());
      expect(preview).toMatchObject({ title: 'Has a fake', image: null });
      expect(readdirSync(dir)).toEqual([]);
    });

    it('keeps no SVG, however it is served: an SVG may carry scripts, and is no raster image', async () => {
      const svg = Buffer.from(
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">' +
          '<script>alert(1)</script><rect width="400" height="300" fill="red"/></svg>',
      );
      site.route(
        '/page',
        sendHtml(
          htmlPage(
            '<title>Drawn</title><meta property="og:image" content="/cover.svg"><link rel="icon" href="/icon.png">',
          ),
        ),
      );
      site.route('/cover.svg', sendBytes(svg, 'image/svg+xml'));
      site.route('/icon.png', sendBytes(svg, 'image/png'));
      const preview = await unfurl(`${site.origin}/page`, options());
      expect(preview).toMatchObject({ title: 'Drawn', image: null, favicon: null, media: [] });
      expect(readdirSync(dir)).toEqual([]);
    });

    it('keeps no image over 5 MiB, or served as text', async () => {
      site.route(
        '/page',
        sendHtml(htmlPage('<meta property="og:image" content="/huge.png"><link rel="icon" href="/icon.txt">')),
      );
      site.route('/huge.png', sendBytes(Buffer.alloc(5 * 1024 * 1024 + 1), 'image/png'));
      site.route('/icon.txt', sendBytes(await testImage('png', 16, 16), 'text/plain'));
      const preview = await unfurl(`${site.origin}/page`, options());
      expect(preview).toMatchObject({ image: null, favicon: null, media: [] });
    });
  });
});
