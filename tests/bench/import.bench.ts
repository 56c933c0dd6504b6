/**
 * `tsx tests/bench/import.bench.ts`: a 5,000-link bookmarks.html imported through
 * `window.burrow.importText` (the Import view's path) in Chromium with an on-disk profile,
 * signed in to a real server: the time until every record is in the local database, and until
 * the server has acknowledged them all. Link previews are off (BURROW_UNFURL=0): their pacing is
 * the server's queue's, measured by its own tests.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchDiskDevices, openApp, REPO_ROOT } from '../support/browser.ts';
import { startServer } from '../support/server-process.ts';
import { benchRow, markdownTable, writeBenchResults } from './bench-report.ts';

const LINKS = 5_000;
const PER_FOLDER = 50;
const ALL_LOCAL_TARGET_MS = 10_000;

/** A Chrome-layout bookmarks.html: folders of PER_FOLDER links, each folder nested in a parent folder. */
function bookmarksFile(): string {
  const lines = ['<!DOCTYPE NETSCAPE-Bookmark-file-1>', '<TITLE>Bookmarks</TITLE>', '<H1>Bookmarks</H1>', '<DL><p>'];
  for (let folder = 0; folder < LINKS / PER_FOLDER; folder++) {
    if (folder % 10 === 0) lines.push(`<DT><H3 ADD_DATE="1700000000">Gruppe ${folder / 10}</H3>`, '<DL><p>');
    lines.push(`<DT><H3 ADD_DATE="1700000000">Ordner ${folder} – Café</H3>`, '<DL><p>');
    for (let link = 0; link < PER_FOLDER; link++) {
      lines.push(
        `<DT><A HREF="https://example.com/${folder}/${link}" ADD_DATE="${1700000000 + link}">Seite ${folder}.${link} &amp; mehr</A>`,
      );
    }
    lines.push('</DL><p>');
    if (folder % 10 === 9) lines.push('</DL><p>');
  }
  lines.push('</DL><p>');
  return lines.join('\n');
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
}

async function timeImport(page: Page, text: string): Promise<ImportTimes> {
  return (await page.evaluate(
    `(async (text) => {
      const burrow = window.burrow;
      const start = performance.now();
      const counts = await burrow.importText(text, { format: 'bookmarks-html', fileName: 'bench.html' });
      const allLocalMs = performance.now() - start;
      let status = await burrow.flush();
      while (status.pending > 0) {
        if (status.failed > 0 || status.state === 'error') throw new Error('sync failed: ' + JSON.stringify(status));
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = await burrow.flush();
      }
      return { allLocalMs, allOnServerMs: performance.now() - start, records: counts.cards + counts.collections };
    })(${JSON.stringify(text)})`,
  )) as ImportTimes;
}

async function main(): Promise<void> {
  buildForProduction();
  const server = await startServer({ env: { BURROW_UNFURL: '0' } });
  const devices = launchDiskDevices();
  try {
    const rows = [];
    // Where a person imports (the Import view), and with every card listed as it arrives.
    for (const [where, path] of [
      ['from the Import view', '/import'],
      ['with the card list open', '/'],
    ] as const) {
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
      );
      await device.close();
    }
    await writeBenchResults('import', rows);
    console.log(markdownTable(rows));
  } finally {
    await devices.close();
    await server.stop();
  }
}

await main();
