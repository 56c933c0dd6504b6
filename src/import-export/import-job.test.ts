import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ImportError } from './import-error.ts';
import { type ImportClient, type ImportProgress, resumeImports, startImport, unfinishedImports } from './import-job.ts';
import { createRecordingClient, type RecordingClient } from './recording-client.test-helper.ts';

/** A bookmarks.html of `folders` nested folders with `perFolder` links each. */
function bookmarksFile(folders: number, perFolder: number): string {
  const lines = ['<!DOCTYPE NETSCAPE-Bookmark-file-1>', '<TITLE>Bookmarks</TITLE>', '<H1>Bookmarks</H1>', '<DL><p>'];
  for (let folder = 0; folder < folders; folder++) {
    lines.push(`<DT><H3>Folder ${folder}</H3>`, '<DL><p>');
    for (let link = 0; link < perFolder; link++) {
      lines.push(
        `<DT><A HREF="https://example.com/${folder}/${link}" ADD_DATE="1700000000">Link ${folder}.${link}</A>`,
      );
    }
  }
  for (let folder = 0; folder < folders; folder++) lines.push('</DL><p>');
  lines.push('</DL><p>');
  return lines.join('\n');
}

/**
 * The same records, but after `chunks` chunks the tab closes: the next chunk's transaction
 * commits and the tab is gone before its progress is saved (the hardest moment to stop at).
 */
function cutOffAfter(client: RecordingClient, chunks: number): ImportClient {
  let calls = 0;
  return {
    ...client,
    async createAll(records, options) {
      const created = await client.createAll(records, options);
      if (++calls > chunks) throw new Error('the tab closed');
      return created;
    },
  };
}

function byTable(client: RecordingClient) {
  const cards = client.created.filter((record) => record.table === 'cards');
  return {
    cards: cards.length,
    distinctUrls: new Set(cards.map((card) => card.fields.url)).size,
    collections: client.created.filter((record) => record.table === 'collections').length,
  };
}

describe('import jobs', () => {
  it('finishes an import cut short between a chunk and its progress exactly once, from where it stopped', async () => {
    indexedDB.deleteDatabase('burrow-imports');
    const client = createRecordingClient();
    const text = bookmarksFile(6, 200);
    const start = startImport(cutOffAfter(client, 6), {
      format: 'bookmarks-html',
      text,
      fileName: 'bookmarks.html',
      workspaceId: 'ws',
    });
    await expect(start).rejects.toThrow('the tab closed');
    // Saved: 5 nested folders (a chunk each: a child waits for its parent), then the sixth with
    // 499 links; the next 500 were written, their progress was not.
    expect(await unfinishedImports(client)).toMatchObject([{ fileName: 'bookmarks.html', done: 505, total: 1206 }]);

    const progress: ImportProgress[] = [];
    const finished = await resumeImports(client, (next) => progress.push(next));
    expect(progress[0]).toEqual({ fileName: 'bookmarks.html', done: 1005, total: 1206 });
    expect(progress.at(-1)).toEqual({ fileName: 'bookmarks.html', done: 1206, total: 1206 });
    expect(finished).toEqual([
      { fileName: 'bookmarks.html', counts: { collections: 6, cards: 1200, todos: 0, events: 0, skipped: 0 } },
    ]);
    expect(byTable(client)).toEqual({ cards: 1200, distinctUrls: 1200, collections: 6 });
    expect(await unfinishedImports(client)).toEqual([]);
    expect(await resumeImports(client)).toEqual([]);
  });

  it('survives being cut short again while resuming', async () => {
    indexedDB.deleteDatabase('burrow-imports');
    const client = createRecordingClient();
    const text = bookmarksFile(3, 400);
    await expect(
      startImport(cutOffAfter(client, 1), { format: 'bookmarks-html', text, fileName: 'a.html', workspaceId: 'ws' }),
    ).rejects.toThrow();
    await expect(resumeImports(cutOffAfter(client, 1))).rejects.toThrow();
    await resumeImports(client);
    expect(byTable(client)).toEqual({ cards: 1200, distinctUrls: 1200, collections: 3 });
  });

  it('stores no job for a file it cannot read, and writes nothing', async () => {
    indexedDB.deleteDatabase('burrow-imports');
    const client = createRecordingClient();
    const start = startImport(client, { format: 'bookmarks-html', text: '<p>hi', fileName: 'x', workspaceId: 'ws' });
    await expect(start).rejects.toThrow(ImportError);
    expect(await unfinishedImports(client)).toEqual([]);
    expect(client.created).toEqual([]);
  });

  it("leaves another account's unfinished import alone", async () => {
    indexedDB.deleteDatabase('burrow-imports');
    const client = createRecordingClient();
    const text = bookmarksFile(1, 10);
    await expect(
      startImport(cutOffAfter(client, 0), { format: 'bookmarks-html', text, fileName: 'a.html', workspaceId: 'ws' }),
    ).rejects.toThrow();
    const other = { ...createRecordingClient(), account: () => ({ user: { id: 'u2', email: 'b@example.com' } }) };
    expect(await resumeImports(other)).toEqual([]);
    expect(other.created).toEqual([]);
    expect(await unfinishedImports(client)).toHaveLength(1);
  });
});
