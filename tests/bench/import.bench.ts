/**
 * `tsx tests/bench/import.bench.ts`: a 5,000-link bookmarks.html imported through
 * `window.burrow.importText` (the Import view's path) in Chromium with an on-disk profile,
 * signed in to a real server: the time until every record is in the local database, and until
 * the server has acknowledged them all, with link previews off (BURROW_UNFURL=0). Then the same
 * import of links to a fixture site on loopback (its pages on 20 addresses of 127.0.0.0/8, so 20
 * hosts; BURROW_UNFURL_ALLOW_PRIVATE=1), with the server's own preview pacing: the time until
 * every card on the device shows its preview. `BURROW_BENCH_PREVIEW_LINKS` sets how many links
 * that import has (default 5,000, a multiple of 50; the pace is 5 starts a second at most, so
 * about 17 minutes; 0 leaves it out).
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { articlePage, testImage } from '../../server/test-support/fixture-site.ts';
import { launchDiskDevices, openApp, REPO_ROOT } from '../support/browser.ts';
import { startServer } from '../support/server-process.ts';
import { benchRow, markdownTable, writeBenchResults } from './bench-report.ts';

const LINKS = 5_000;
const PER_FOLDER = 50;
const ALL_LOCAL_TARGET_MS = 10_000;

const PREVIEW_LINKS = Number(process.env.BURROW_BENCH_PREVIEW_LINKS ?? LINKS);
/** `BURROW_BENCH_LOCAL_IMPORTS=0` leaves out the imports with previews off (to time the previews alone). */
const LOCAL_IMPORTS = process.env.BURROW_BENCH_LOCAL_IMPORTS !== '0';
/** Where a person imports (the Import view), and with every card listed as it arrives. */
const PLACES = [
  ['from the Import view', '/import'],
  ['with the card list open', '/'],
] as const;
const FIXTURE_HOSTS = 20;
/** How long the previews of the import may take before the bench gives up. */
const PREVIEWS_DEADLINE_MS = 60 * 60_000;

/** A Chrome-layout bookmarks.html: folders of PER_FOLDER links, each folder nested in a parent folder. */
function bookmarksFile(
  links = LINKS,
  urlOf = (folder: number, link: number) => `https://example.com/${folder}/${link}`,
): string {
  const lines = ['<!DOCTYPE NETSCAPE-Bookmark-file-1>', '<TITLE>Bookmarks</TITLE>', '<H1>Bookmarks</H1>', '<DL><p>'];
  for (let folder = 0; folder < links / PER_FOLDER; folder++) {
    if (folder % 10 === 0) lines.push(`<DT><H3 ADD_DATE="1700000000">Gruppe ${folder / 10}</H3>`, '<DL><p>');
    lines.push(`<DT><H3 ADD_DATE="1700000000">Ordner ${folder} – Café</H3>`, '<DL><p>');
    for (let link = 0; link < PER_FOLDER; link++) {
      lines.push(
        `<DT><A HREF="${urlOf(folder, link)}" ADD_DATE="${1700000000 + link}">Seite ${folder}.${link} &amp; mehr</A>`,
      );
    }
    lines.push('</DL><p>');
    if (folder % 10 === 9 || folder === links / PER_FOLDER - 1) lines.push('</DL><p>');
  }
  lines.push('</DL><p>');
  return lines.join('\n');
}

/** A web site on 127.0.0.1–20 (one port): every path is an article with a cover and an icon. */
async function startFixtureHosts(): Promise<{ origins: string[]; requests: () => number; close(): Promise<void> }> {
  const cover = await testImage('jpeg', 1200, 630);
  const icon = await testImage('png', 32, 32);
  const paragraphs = Array.from({ length: 8 }, (_, i) =>
    `Paragraph ${i} of an article about burrows, warrens and setts, long enough to read as text. `.repeat(4),
  );
  let requests = 0;
  const handle = (request: http.IncomingMessage, response: http.ServerResponse) => {
    requests++;
    const path = new URL(request.url ?? '/', 'http://fixture').pathname;
    if (path === '/cover.jpg') return response.writeHead(200, { 'content-type': 'image/jpeg' }).end(cover);
    if (path === '/icon.png') return response.writeHead(200, { 'content-type': 'image/png' }).end(icon);
    const head = `<title>Article ${path}</title><meta name="description" content="About ${path}.">
      <meta property="og:image" content="/cover.jpg"><link rel="icon" href="/icon.png">`;
    response
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(articlePage(head, `Article ${path}`, paragraphs));
  };
  const servers: http.Server[] = [];
  let port = 0;
  for (let host = 1; host <= FIXTURE_HOSTS; host++) {
    const server = http.createServer(handle);
    await new Promise<void>((resolve) => server.listen(port, `127.0.0.${host}`, resolve));
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return {
    origins: servers.map((_, i) => `http://127.0.0.${i + 1}:${port}`),
    requests: () => requests,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/** Imports `text` and waits until every card on the device has its preview settled (ready or failed). */
async function timePreviews(
  page: Page,
  text: string,
): Promise<{ allLocalMs: number; allReadyMs: number; ready: number; failed: number }> {
  return (await page.evaluate(
    `(async ([text, deadlineMs]) => {
      const burrow = window.burrow;
      const start = performance.now();
      const counts = await burrow.importText(text, { format: 'bookmarks-html', fileName: 'previews.html' });
      const allLocalMs = performance.now() - start;
      for (;;) {
        const cards = await burrow.list('cards');
        const states = cards.map((card) => card.fields.metadata?.status);
        const ready = states.filter((status) => status === 'ready').length;
        const failed = states.filter((status) => status === 'failed').length;
        if (ready + failed === counts.cards) return { allLocalMs, allReadyMs: performance.now() - start, ready, failed };
        if (performance.now() - start > deadlineMs) throw new Error('previews not ready: ' + ready + ' ready, ' + failed + ' failed of ' + counts.cards);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    })(${JSON.stringify([text, PREVIEWS_DEADLINE_MS])})`,
  )) as { allLocalMs: number; allReadyMs: number; ready: number; failed: number };
}

/** The previews of an import, from the fixture hosts, paced by the server's queue as in production. */
async function previewsRows(devices: ReturnType<typeof launchDiskDevices>): Promise<ReturnType<typeof benchRow>[]> {
  const hosts = await startFixtureHosts();
  const server = await startServer({ env: { BURROW_UNFURL: '1', BURROW_UNFURL_ALLOW_PRIVATE: '1' } });
  try {
    const device = await devices.newDevice();
    const page = await openApp(device, server.url, '/import');
    await page.evaluate(`window.burrow.signUp('bench-previews-${Date.now()}@example.test', 'correct horse battery')`);
    const text = bookmarksFile(PREVIEW_LINKS, (folder, link) => {
      const n = folder * PER_FOLDER + link;
      return `${hosts.origins[n % FIXTURE_HOSTS]}/${folder}/${link}`;
    });
    const times = await timePreviews(page, text);
    await device.close();
    console.log(
      `previews: ${times.ready} ready, ${times.failed} failed, ${hosts.requests()} requests to the fixture hosts`,
    );
    const links = PREVIEW_LINKS.toLocaleString('en');
    return [
      benchRow({
        name: `import: ${links} links to a fixture site (20 hosts on loopback), all in the local database`,
        value: times.allLocalMs,
        unit: 'ms',
      }),
      benchRow({
        name: `import: ${links} links, every preview ready on the device (${times.failed} failed), server pacing (4 at once, 2 per person, 1 per host a second, a start per 200 ms)`,
        value: times.allReadyMs,
        unit: 'ms',
      }),
    ];
  } finally {
    await server.stop();
    await hosts.close();
  }
}

function buildForProduction(): void {
  const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'vite'), ['build'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

interface ImportTimes {
  allLocalMs: number;
  allOnServerMs: number;
  records: number;
  /** The page's main thread busy (tasks, script, layout and style) until all were local. */
  mainThreadMs: number;
}

/** The page's cumulative main-thread task time (CDP Performance.getMetrics' TaskDuration), in ms. */
async function mainThreadTaskMs(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return (metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? 0) * 1000;
}

async function timeImport(page: Page, text: string): Promise<ImportTimes> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const busyBefore = await mainThreadTaskMs(cdp);
  let busyUntilLocal = 0;
  await page.exposeFunction('benchAllLocal', async () => {
    busyUntilLocal = await mainThreadTaskMs(cdp);
  });
  const times = (await page.evaluate(
    `(async (text) => {
      const burrow = window.burrow;
      const start = performance.now();
      const counts = await burrow.importText(text, { format: 'bookmarks-html', fileName: 'bench.html' });
      const allLocalMs = performance.now() - start;
      await window.benchAllLocal();
      let status = await burrow.flush();
      while (status.pending > 0) {
        if (status.failed > 0 || status.state === 'error') throw new Error('sync failed: ' + JSON.stringify(status));
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = await burrow.flush();
      }
      return { allLocalMs, allOnServerMs: performance.now() - start, records: counts.cards + counts.collections };
    })(${JSON.stringify(text)})`,
  )) as Omit<ImportTimes, 'mainThreadMs'>;
  await cdp.detach();
  return { ...times, mainThreadMs: busyUntilLocal - busyBefore };
}

async function main(): Promise<void> {
  buildForProduction();
  const server = await startServer({ env: { BURROW_UNFURL: '0' } });
  const devices = launchDiskDevices();
  try {
    const rows = [];
    for (const [where, path] of LOCAL_IMPORTS ? PLACES : []) {
      const device = await devices.newDevice();
      const page = await openApp(device, server.url, path);
      const email = `bench-${Date.now()}-${path.length}@example.test`;
      await page.evaluate(`window.burrow.signUp(${JSON.stringify(email)}, 'correct horse battery')`);
      const times = await timeImport(page, bookmarksFile());
      if (times.records !== LINKS + LINKS / PER_FOLDER + LINKS / PER_FOLDER / 10) {
        throw new Error(`imported ${times.records} records, expected every link and folder`);
      }
      rows.push(
        benchRow({
          name: `import: ${LINKS.toLocaleString('en')} links of a bookmarks.html ${where}, all in the local database`,
          value: times.allLocalMs,
          unit: 'ms',
          target: { on: 'value', atMost: ALL_LOCAL_TARGET_MS },
        }),
        benchRow({
          name: `import: ${LINKS.toLocaleString('en')} links ${where}, all acknowledged by the server (previews off)`,
          value: times.allOnServerMs,
          unit: 'ms',
        }),
        benchRow({
          name: `import: ${LINKS.toLocaleString('en')} links ${where}, the page's main thread busy until all were local (tasks: script, style, layout)`,
          value: times.mainThreadMs,
          unit: 'ms',
        }),
      );
      await device.close();
    }
    if (PREVIEW_LINKS > 0) rows.push(...(await previewsRows(devices)));
    await writeBenchResults('import', rows);
    console.log(markdownTable(rows));
  } finally {
    await devices.close();
    await server.stop();
  }
}

await main();
