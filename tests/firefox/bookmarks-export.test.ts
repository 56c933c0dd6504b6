/**
 * Firefox imports Burrow's bookmarks.html back: a profile told to import our export at startup
 * (`browser.places.importBookmarksHTML`, `browser.bookmarks.file`) holds, in its places.sqlite,
 * the export's folder tree, titles, URLs and dates.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { exportText, planImport } from '../../src/import-export/import-formats.ts';
import { commitImportPlan } from '../../src/import-export/import-plan.ts';
import { type BookmarkFolder, parseNetscapeBookmarks } from '../../src/import-export/netscape-bookmarks.ts';
import { createRecordingClient } from '../../src/import-export/recording-client.test-helper.ts';
import { emptyWorkspaceIndex } from '../../src/import-export/workspace-index.ts';
import { waitFor } from '../support/browser.ts';
import { launchFirefoxDevice } from './firefox.ts';

const fixture = (name: string) => readFileSync(new URL(`../app/fixtures/${name}`, import.meta.url), 'utf8');

/** A folder or link as both sides are compared: its path of folder names, and its details. */
interface Entry {
  path: string;
  kind: 'folder' | 'link';
  url?: string;
  title: string;
  addedSeconds: number | undefined;
}

/** What the exported file holds, read back by Burrow's own parser. */
function entriesOfFile(root: BookmarkFolder): Entry[] {
  const entries: Entry[] = [];
  const walk = (folder: BookmarkFolder, path: string) => {
    for (const child of folder.children) {
      if (child.kind === 'folder') {
        const inner = `${path}/${child.title}`;
        entries.push({ path: inner, kind: 'folder', title: child.title, addedSeconds: child.addDate });
        walk(child, inner);
      } else {
        entries.push({ path, kind: 'link', url: child.url, title: child.title, addedSeconds: child.addDate });
      }
    }
  };
  walk(root, '');
  return entries.sort(byPathAndTitle);
}

interface PlacesRow {
  id: number;
  type: number;
  parent: number;
  title: string | null;
  dateAdded: number;
  url: string | null;
}

/** What Firefox holds under its Bookmarks Menu (where an imported file's top level goes). */
function entriesOfPlaces(file: string): Entry[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT b.id, b.type, b.parent, b.title, b.dateAdded, p.url
           FROM moz_bookmarks b LEFT JOIN moz_places p ON p.id = b.fk`,
      )
      .all() as PlacesRow[];
    const menu = db.prepare(`SELECT id FROM moz_bookmarks WHERE guid = 'menu________'`).get() as { id: number };
    const entries: Entry[] = [];
    const walk = (parent: number, path: string) => {
      for (const row of rows.filter((candidate) => candidate.parent === parent)) {
        // Microseconds in Places, whole seconds in the file.
        const addedSeconds = Math.floor(row.dateAdded / 1e6);
        if (row.type === 2) {
          const inner = `${path}/${row.title}`;
          entries.push({ path: inner, kind: 'folder', title: row.title ?? '', addedSeconds });
          walk(row.id, inner);
        } else if (row.type === 1) {
          entries.push({ path, kind: 'link', url: row.url ?? '', title: row.title ?? '', addedSeconds });
        }
      }
    };
    walk(menu.id, '');
    return entries.sort(byPathAndTitle);
  } finally {
    db.close();
  }
}

function byPathAndTitle(a: Entry, b: Entry): number {
  return `${a.path}\u0000${a.kind}\u0000${a.title}`.localeCompare(`${b.path}\u0000${b.kind}\u0000${b.title}`);
}

/** A workspace filled from Firefox's own export layout, plus a link saved in Burrow: our export of it. */
async function burrowExport(): Promise<string> {
  const client = createRecordingClient();
  await commitImportPlan(
    client,
    planImport('bookmarks-html', fixture('firefox-bookmarks.html'), emptyWorkspaceIndex()),
    'ws',
  );
  await client.create(
    'cards',
    {
      kind: 'link',
      url: 'https://burrow.example/saved-here',
      title: 'Saved in Burrow',
      content: '',
      tags: [],
      collectionIds: [],
      pinned: false,
    },
    { workspaceId: 'ws' },
  );
  return (await exportText(client, { id: 'ws', name: 'Mine' }, 'bookmarks-html')).text;
}

describe('Firefox imports our bookmarks.html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-ff-bookmarks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with its folders, titles, URLs and dates', async () => {
    const exported = await burrowExport();
    const file = join(dir, 'burrow-mine.html');
    writeFileSync(file, exported);
    const expected = entriesOfFile(parseNetscapeBookmarks(exported));
    // The file is what the comparison is worth: nested folders, non-ASCII titles, dates.
    expect(expected.filter((entry) => entry.kind === 'folder').map((entry) => entry.path)).toContain(
      '/Bookmarks Toolbar/Küche & Café',
    );
    expect(expected.every((entry) => entry.addedSeconds !== undefined)).toBe(true);

    const firefox = await launchFirefoxDevice({
      preferences: { 'browser.places.importBookmarksHTML': true, 'browser.bookmarks.file': file },
    });
    const places = join(dir, 'places.sqlite');
    try {
      // Firefox clears the pref once the import is done.
      await waitFor(async () => (await firefox.preference('browser.places.importBookmarksHTML')) === false, {
        timeoutMs: 60_000,
        intervalMs: 200,
        message: 'Firefox to import the bookmarks file',
      });
      // Closed first, so the database is whole on disk (its write-ahead log is copied beside it if left).
      await firefox.quit();
      copyFileSync(join(firefox.profileDir, 'places.sqlite'), places);
      const wal = join(firefox.profileDir, 'places.sqlite-wal');
      if (existsSync(wal)) copyFileSync(wal, `${places}-wal`);
    } finally {
      await firefox.close();
    }
    expect(entriesOfPlaces(places)).toEqual(expected);
  });
});
