import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planBookmarksImport } from './bookmarks-import.ts';
import { commitImportPlan, countPlan } from './import-plan.ts';
import { createRecordingClient } from './recording-client.test-helper.ts';
import { emptyWorkspaceIndex, readWorkspaceIndex } from './workspace-index.ts';

const fixture = readFileSync(new URL('../../tests/app/fixtures/bookmarks.html', import.meta.url), 'utf8');

describe('planBookmarksImport', () => {
  it('plans a collection per folder and a card per distinct http(s) link', () => {
    const plan = planBookmarksImport(fixture);
    expect(countPlan(plan)).toEqual({ collections: 4, cards: 7, todos: 0, events: 0, skipped: 2 });
  });

  it('files a link found in two folders into both collections', () => {
    const plan = planBookmarksImport(fixture);
    const cookbook = plan.records.find((record) => record.fields.url === 'https://web.dev/articles/offline-cookbook');
    expect(cookbook?.fields.collectionIds).toHaveLength(2);
  });

  it('skips links the workspace already has', () => {
    const plan = planBookmarksImport(fixture, {
      ...emptyWorkspaceIndex(),
      urls: new Map([['https://preactjs.com/', '01900000-0000-7000-8000-00000000000a']]),
    });
    expect(countPlan(plan)).toMatchObject({ cards: 6, skipped: 3 });
  });
});

describe('commitImportPlan', () => {
  it('creates parents before children and points cards at the created collections', async () => {
    const client = createRecordingClient();
    await commitImportPlan(client, planBookmarksImport(fixture), 'ws');
    const collections = client.created.filter((record) => record.table === 'collections');
    const byName = new Map(collections.map((record) => [record.fields.name, record]));
    const deep = byName.get('Deep "nested" folder')!;
    const reading = byName.get('Reading')!;
    expect(deep.fields.parentId).toBe(reading.id);
    expect(byName.get('Bookmarks bar')!.fields.parentId).toBeNull();
    const wal = client.created.find((record) => record.fields.url === 'https://sqlite.org/wal.html')!;
    expect(wal.fields.collectionIds).toEqual([deep.id]);
    expect(client.created.every((record) => record.workspaceId === 'ws')).toBe(true);
  });
});

describe('importing into a workspace that has the file already', () => {
  it('adds nothing when the same file is imported twice', async () => {
    const client = createRecordingClient();
    await commitImportPlan(client, planBookmarksImport(fixture), 'ws');
    const again = planBookmarksImport(fixture, await readWorkspaceIndex(client, 'ws'));
    // Two links are not web links; the cookbook is in the file twice.
    expect(countPlan(again)).toEqual({ collections: 0, cards: 0, todos: 0, events: 0, skipped: 10 });
  });

  it('matches links by normalised URL and fills a folder matched by its path', async () => {
    const client = createRecordingClient();
    await commitImportPlan(client, planBookmarksImport(fixture), 'ws');
    const reading = client.created.find((record) => record.fields.name === 'Reading')!;
    const grown = fixture
      .replace('https://sqlite.org/wal.html', 'HTTPS://SQLite.org:443/wal.html#checkpoint')
      .replace(
        '<DT><A HREF="https://www.rfc-editor.org',
        '<DT><A HREF="https://new.example/">New</A>\n<DT><A HREF="https://www.rfc-editor.org',
      );
    const plan = planBookmarksImport(grown, await readWorkspaceIndex(client, 'ws'));
    expect(countPlan(plan)).toMatchObject({ collections: 0, cards: 1 });
    await commitImportPlan(client, plan, 'ws');
    expect(client.created.at(-1)!.fields).toMatchObject({ url: 'https://new.example/', collectionIds: [reading.id] });
  });

  it('does not match a folder of the same name elsewhere in the tree', async () => {
    const client = createRecordingClient();
    const other = await client.create(
      'collections',
      { name: 'Reading', parentId: null, position: 0 },
      { workspaceId: 'ws' },
    );
    const plan = planBookmarksImport(fixture, await readWorkspaceIndex(client, 'ws'));
    expect(countPlan(plan)).toMatchObject({ collections: 4 });
    expect(plan.records.some((record) => record.fields.parentId === other.id)).toBe(false);
  });
});

describe('what a bookmark keeps', () => {
  it('keeps ADD_DATE as savedAt and ICON as a favicon', () => {
    const mdn = planBookmarksImport(fixture).records.find(
      (record) => record.fields.title === 'Progressive web apps | MDN',
    );
    expect(mdn?.fields).toMatchObject({ savedAt: '2023-11-14T22:15:00Z' });
    expect(mdn?.fields.favicon).toMatch(/^data:image\/png;base64,iVBOR/);
  });

  it('keeps LAST_MODIFIED as modifiedAt and SHORTCUTURL as a keyword: tag', () => {
    const html = `<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p>
    <DT><A HREF="https://mdn.example/search?q=%s" ADD_DATE="1700000000000000" LAST_MODIFIED="1700000500" SHORTCUTURL="mdn" TAGS="docs">MDN search</A>
    <DT><A HREF="https://b.example/" ADD_DATE="1700000000000" ICON="data:image/svg+xml;base64,PHN2Zz4=" SHORTCUTURL=" ">B</A>
    <DT><A HREF="https://c.example/" ADD_DATE="-5" LAST_MODIFIED="soon" ICON="https://c.example/favicon.ico">C</A>
</DL><p>`;
    const [mdn, b, c] = planBookmarksImport(html).records.map((record) => record.fields);
    expect(mdn).toMatchObject({
      savedAt: '2023-11-14T22:13:20Z',
      modifiedAt: '2023-11-14T22:21:40Z',
      tags: ['docs', 'keyword:mdn'],
    });
    // Milliseconds are told from seconds; an SVG or remote icon is left to the server's fetch.
    expect(b).toMatchObject({ savedAt: '2023-11-14T22:13:20Z', tags: [] });
    expect(b.favicon).toBeUndefined();
    expect([c.savedAt, c.modifiedAt, c.favicon]).toEqual([undefined, undefined, undefined]);
  });

  it("keeps a folder's ADD_DATE and LAST_MODIFIED as its savedAt and modifiedAt", () => {
    const html = `<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p>
    <DT><H3 ADD_DATE="1699990520" LAST_MODIFIED="1699990530">Küche</H3>
    <DL><p>
        <DT><H3 ADD_DATE="1699990600">Suppen</H3>
        <DL><p>
            <DT><A HREF="https://soup.example/">Soup</A>
        </DL><p>
    </DL><p>
</DL><p>`;
    const [kitchen, soups] = planBookmarksImport(html).records.filter((record) => record.table === 'collections');
    expect(kitchen.fields).toMatchObject({
      name: 'Küche',
      savedAt: '2023-11-14T19:35:20Z',
      modifiedAt: '2023-11-14T19:35:30Z',
    });
    expect(soups.fields).toMatchObject({ name: 'Suppen', savedAt: '2023-11-14T19:36:40Z' });
    expect(soups.fields.modifiedAt).toBeUndefined();
  });
});
