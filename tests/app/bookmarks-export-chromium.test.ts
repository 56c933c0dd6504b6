/**
 * Chromium imports Burrow's bookmarks.html back, through its own first-run importer: initial
 * preferences naming our export (`distribution.import_bookmarks_from_file`) and a first run.
 * Debian's Chromium reads its initial preferences from /etc/chromium/master_preferences only, so
 * the test lays its own file over that one in a mount namespace of the browser's own (root, as
 * the tests run here): nothing outside that process sees it. The profile's `Bookmarks` file then
 * holds the export's folder tree, titles, URLs and bookmark dates. Chromium's importer dates
 * folders at the import and leaves out empty ones and keyword searches (`%s`, which become
 * search engines): those are Chromium's, checked as such below.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportText, planImport } from '../../src/import-export/import-formats.ts';
import { commitImportPlan } from '../../src/import-export/import-plan.ts';
import { type BookmarkFolder, parseNetscapeBookmarks } from '../../src/import-export/netscape-bookmarks.ts';
import { createRecordingClient } from '../../src/import-export/recording-client.test-helper.ts';
import { emptyWorkspaceIndex } from '../../src/import-export/workspace-index.ts';
import { waitFor } from '../support/browser.ts';

const CHROMIUM_BINARY = '/usr/lib/chromium/chromium';
const INITIAL_PREFERENCES = '/etc/chromium/master_preferences';
/** Chromium's times count microseconds from 1601-01-01. */
const CHROMIUM_EPOCH_OFFSET_S = 11_644_473_600;

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

interface Entry {
  path: string;
  kind: 'folder' | 'link';
  title: string;
  url?: string;
  addedSeconds?: number;
}

/** The export as Burrow's parser reads it: folders with a link somewhere inside, and links but keyword searches. */
function entriesOfFile(root: BookmarkFolder): Entry[] {
  const entries: Entry[] = [];
  const walk = (folder: BookmarkFolder, path: string): boolean => {
    let holdsLinks = false;
    for (const child of folder.children) {
      if (child.kind === 'folder') {
        const inner = `${path}/${child.title}`;
        const at = entries.length;
        if (walk(child, inner)) {
          entries.splice(at, 0, { path: inner, kind: 'folder', title: child.title });
          holdsLinks = true;
        }
      } else if (!child.url.includes('%s')) {
        entries.push({ path, kind: 'link', title: child.title, url: child.url, addedSeconds: child.addDate });
        holdsLinks = true;
      }
    }
    return holdsLinks;
  };
  walk(root, '');
  return entries.sort(byPathAndTitle);
}

interface ChromiumNode {
  type: 'folder' | 'url';
  name: string;
  url?: string;
  date_added: string;
  children?: ChromiumNode[];
}

/** What the profile holds under the bookmarks bar, where Chromium imports into an empty profile. */
function entriesOfProfile(file: string): Entry[] {
  const bar = (JSON.parse(readFileSync(file, 'utf8')) as { roots: { bookmark_bar: ChromiumNode } }).roots.bookmark_bar;
  const entries: Entry[] = [];
  const walk = (folder: ChromiumNode, path: string) => {
    for (const child of folder.children ?? []) {
      if (child.type === 'folder') {
        const inner = `${path}/${child.name}`;
        entries.push({ path: inner, kind: 'folder', title: child.name });
        walk(child, inner);
      } else {
        const addedSeconds = Math.floor(Number(child.date_added) / 1e6) - CHROMIUM_EPOCH_OFFSET_S;
        entries.push({ path, kind: 'link', title: child.name, url: child.url, addedSeconds });
      }
    }
  };
  walk(bar, '');
  return entries.sort(byPathAndTitle);
}

function byPathAndTitle(a: Entry, b: Entry): number {
  return `${a.path}\u0000${a.kind}\u0000${a.title}`.localeCompare(`${b.path}\u0000${b.kind}\u0000${b.title}`);
}

async function burrowExport(): Promise<string> {
  const client = createRecordingClient();
  const plan = planImport('bookmarks-html', fixture('firefox-bookmarks.html'), emptyWorkspaceIndex());
  await commitImportPlan(client, plan, 'ws');
  return (await exportText(client, { id: 'ws', name: 'Mine' }, 'bookmarks-html')).text;
}

/** A first run of Chromium with `preferences` in place of Debian's initial preferences, in its own mount namespace. */
function firstRun(dir: string, preferences: string): ChildProcess {
  const script = `mount --bind "$1" ${INITIAL_PREFERENCES} && exec "$2" --headless --force-first-run --user-data-dir="$3" --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync about:blank`;
  return spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'first-run',
      preferences,
      CHROMIUM_BINARY,
      join(dir, 'profile'),
    ],
    { env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') }, stdio: 'ignore' },
  );
}

describe('Chromium imports our bookmarks.html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-chromium-bookmarks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with its folders, titles, URLs and bookmark dates, through its first-run importer', async () => {
    const exported = await burrowExport();
    const file = join(dir, 'burrow-mine.html');
    writeFileSync(file, exported);
    const preferences = join(dir, 'initial_preferences');
    writeFileSync(
      preferences,
      JSON.stringify({
        distribution: { import_bookmarks: false, import_bookmarks_from_file: file, skip_first_run_ui: true },
        browser: { has_seen_welcome_page: true, check_default_browser: false },
      }),
    );
    const expected = entriesOfFile(parseNetscapeBookmarks(exported));
    expect(expected.map((entry) => entry.path)).toContain('/Bookmarks Toolbar/Küche & Café');

    const chromium = firstRun(dir, preferences);
    const exited = new Promise((resolve) => chromium.once('exit', resolve));
    const bookmarks = join(dir, 'profile', 'Default', 'Bookmarks');
    try {
      // Chromium writes the file a moment after the import: wait until every link is in it.
      const imported = await waitFor(
        () => {
          if (!existsSync(bookmarks)) return null;
          const entries = entriesOfProfile(bookmarks);
          return entries.filter((entry) => entry.kind === 'link').length ===
            expected.filter((e) => e.kind === 'link').length
            ? entries
            : null;
        },
        { timeoutMs: 60_000, intervalMs: 200, message: 'Chromium to import the bookmarks file' },
      );
      // Folder dates are Chromium's own (the import's time): compared without them.
      expect(imported).toEqual(expected);
    } finally {
      chromium.kill('SIGTERM');
      await exited;
    }
  });
});
