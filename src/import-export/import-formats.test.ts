import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImportError } from './import-error.ts';
import { exportText, type ImportFormat, planImport } from './import-formats.ts';
import { commitImportPlan, countPlan, type ImportPlan, type PlannedRecord } from './import-plan.ts';
import { parseNetscapeBookmarks } from './netscape-bookmarks.ts';
import { createRecordingClient } from './recording-client.test-helper.ts';
import { emptyWorkspaceIndex, readWorkspaceIndex } from './workspace-index.ts';

const fixture = (name: string) => readFileSync(new URL(`../../tests/app/fixtures/${name}`, import.meta.url), 'utf8');

function plan(format: ImportFormat, text: string): ImportPlan {
  return planImport(format, text, emptyWorkspaceIndex());
}

/** The plan's collections as paths of names, and its cards by URL. */
function shape(planned: ImportPlan) {
  const byKey = new Map(planned.records.map((record) => [record.key, record]));
  const pathOf = (key: string | null): string => {
    const record = key ? byKey.get(key) : undefined;
    return record ? `${pathOf(record.fields.parentId as string | null)}/${record.fields.name}` : '';
  };
  const cards = planned.records.filter((record) => record.table === 'cards');
  return {
    folders: planned.records.filter((record) => record.table === 'collections').map((record) => pathOf(record.key)),
    cards: Object.fromEntries<Record<string, unknown>>(
      cards.map((card: PlannedRecord) => [
        String(card.fields.url),
        { ...card.fields, collectionIds: (card.fields.collectionIds as string[]).map(pathOf) },
      ]),
    ),
  };
}

/** Each planned folder's dates by name. */
function folderDates(planned: ImportPlan): Record<string, unknown> {
  const folders = planned.records.filter((record) => record.table === 'collections');
  return Object.fromEntries(
    folders.map(({ fields }) => [fields.name, { savedAt: fields.savedAt, modifiedAt: fields.modifiedAt }]),
  );
}

describe('formats in', () => {
  it('reads a Firefox export: menu items at the top, the toolbar, keywords, tags, descriptions, entities', () => {
    const { folders, cards } = shape(plan('bookmarks-html', fixture('firefox-bookmarks.html')));
    expect(folders).toEqual([
      '/Mozilla Firefox',
      '/Bookmarks Toolbar',
      '/Bookmarks Toolbar/Küche & Café',
      '/Other Bookmarks',
    ]);
    expect(Object.keys(cards)).toHaveLength(7);
    expect(cards['https://developer.mozilla.org/en-US/search?q=%s']).toMatchObject({
      title: 'MDN search',
      description: 'Search MDN from the address bar: type “mdn fetch”.',
      tags: ['docs', 'web', 'keyword:mdn'],
      savedAt: '2023-11-14T19:31:40Z',
      modifiedAt: '2023-11-14T19:33:20Z',
      collectionIds: [],
    });
    expect(cards['https://example.org/recipes?dish=cr%C3%AApe&lang=fr']).toMatchObject({
      title: 'Crêpes <the "real" ones> & more',
      collectionIds: ['/Bookmarks Toolbar/Küche & Café'],
    });
    expect(cards['https://ja.wikipedia.org/wiki/%E3%82%B3%E3%83%BC%E3%83%92%E3%83%BC'].title).toBe(
      'コーヒー - Wikipedia',
    );
    expect(cards['https://www.mozilla.org/en-US/firefox/central/'].favicon).toMatch(/^data:image\/png;base64,/);
  });

  it('reads a Safari export, whose top-level folders have no list around them', () => {
    const planned = plan('bookmarks-html', fixture('safari-bookmarks.html'));
    const { folders, cards } = shape(planned);
    expect(folders).toEqual(['/Favorites', '/Favorites/Café & Reading', '/Bookmarks Menu', '/Reading List']);
    expect(cards['https://fr.wikipedia.org/wiki/Caf%C3%A9']).toMatchObject({
      title: 'Café — Wikipédia',
      collectionIds: ['/Favorites/Café & Reading'],
    });
    expect(cards['https://webkit.org/blog/']).toMatchObject({
      description: 'Read later: what is new in Safari.',
      collectionIds: ['/Reading List'],
    });
    // Safari writes no dates: savedAt is left to the record's creation.
    expect(cards['https://www.apple.com/'].savedAt).toBeUndefined();
  });

  it('reads an Edge export, with non-Latin folders and titles', () => {
    const { folders, cards } = shape(plan('bookmarks-html', fixture('edge-bookmarks.html')));
    expect(folders).toEqual(['/Favorites bar', '/Favorites bar/Ελληνικά & русский', '/Other favorites']);
    expect(cards['https://ru.wikipedia.org/wiki/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0']).toMatchObject({
      title: 'Москва — Википедия',
      collectionIds: ['/Favorites bar/Ελληνικά & русский'],
      savedAt: '2023-11-16T02:00:50Z',
    });
  });

  it("reads Pocket's HTML export, keeping the archive as a tag", () => {
    const planned = plan('pocket-html', fixture('pocket-ril_export.html'));
    const { folders, cards } = shape(planned);
    expect(folders).toEqual([]);
    expect(cards['https://www.nytimes.com/2020/01/01/food/coffee.html']).toMatchObject({
      title: 'The Science of Coffee & Crema',
      tags: ['food', 'café'],
      savedAt: '2020-01-01T12:00:00Z',
    });
    expect(cards['https://example.com/untitled'].title).toBe('https://example.com/untitled');
    expect(cards['https://getpocket.com/explore/item/why-we-read']).toMatchObject({
      title: 'Why We Read – Pocket',
      tags: ['reading', 'archived'],
    });
  });

  it("reads Pocket's CSV export: quoted commas and quotes, tags split at |, the archive as a tag", () => {
    const { cards } = shape(plan('pocket-csv', fixture('pocket-export.csv')));
    expect(Object.values(cards).map((card) => card.title)).toEqual([
      'Café society, explained',
      'He said "read this"',
      'https://example.com/no-title',
      '東京の地下鉄',
    ]);
    expect(cards['https://example.com/cafe-society']).toMatchObject({
      tags: ['food', 'culture'],
      savedAt: '2021-01-01T00:00:00Z',
    });
    expect(cards['https://example.com/quotes'].tags).toEqual(['archived']);
    expect(cards['https://example.jp/%E6%9D%B1%E4%BA%AC'].tags).toEqual(['travel', '日本']);
  });

  it("reads Raindrop's CSV export: folder paths, notes, excerpts, favourites; a byte-order mark", () => {
    const planned = plan('raindrop-csv', fixture('raindrop-export.csv'));
    const { folders, cards } = shape(planned);
    expect(folders).toEqual(['/Travel', '/Travel/Switzerland', '/Travel/Portugal']);
    expect(cards['https://example.com/zurich']).toMatchObject({
      title: 'Zürich, explained',
      content: 'My note\non two lines',
      description: 'An excerpt about Zürich',
      tags: ['travel', 'europe'],
      savedAt: '2023-05-01T10:00:00Z',
      pinned: true,
      collectionIds: ['/Travel/Switzerland'],
    });
    expect(cards['https://example.com/unsorted'].collectionIds).toEqual([]);
    expect(countPlan(planned).skipped).toBe(1);
  });

  it.each([
    ['pocket-csv', 'title,link\nx,y\n', /not a Pocket CSV export: it has no url, time_added column/],
    ['raindrop-csv', 'name\nx\n', /not a Raindrop CSV export/],
    ['pocket-html', '<p>hello</p>', /not a Pocket export/],
    ['bookmarks-html', 'title,url\n', /not a browser bookmarks export/],
  ] as const)('refuses a file that is not %s with a clear message', (format, text, message) => {
    expect(() => plan(format, text)).toThrow(ImportError);
    expect(() => plan(format, text)).toThrow(message);
  });

  it('refuses an unknown format by name', () => {
    expect(() => plan('opml' as ImportFormat, '')).toThrow(/Unknown import format “opml”; use one of bookmarks-html/);
  });
});

/** A bookmarks.html of `count` links in nested folders, written as Chrome writes it. */
function chromeFile(count: number): string {
  const lines = ['<!DOCTYPE NETSCAPE-Bookmark-file-1>', '<TITLE>Bookmarks</TITLE>', '<H1>Bookmarks</H1>', '<DL><p>'];
  for (let folder = 0; folder < count / 100; folder++) {
    lines.push(`<DT><H3 ADD_DATE="1700000000">Ordner ${folder} &amp; Café</H3>`, '<DL><p>');
    lines.push(`<DT><H3>Unterordner ${folder}</H3>`, '<DL><p>');
    for (let link = 0; link < 100; link++) {
      lines.push(
        `<DT><A HREF="https://example.com/${folder}/${link}" ADD_DATE="${1700000000 + link}">Seite ${folder}.${link} – Zürich</A>`,
      );
    }
    lines.push('</DL><p>', '</DL><p>');
  }
  lines.push('</DL><p>');
  return lines.join('\n');
}

describe('thousands of entries', () => {
  it('plans 5,000 links of a bookmarks.html in nested folders', () => {
    expect(countPlan(plan('bookmarks-html', chromeFile(5000)))).toMatchObject({ cards: 5000, collections: 100 });
  });

  it('plans 5,000 rows of a Pocket and of a Raindrop CSV', () => {
    const pocket = ['title,url,time_added,tags,status'];
    const raindrop = ['id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite'];
    for (let row = 0; row < 5000; row++) {
      pocket.push(`"Titel, ${row}",https://example.com/p/${row},${1600000000 + row},a|b,unread`);
      raindrop.push(
        `${row},"Titel ""${row}""",,,https://example.com/r/${row},Reisen/${row % 10},"a, b",2023-05-01T10:00:00.000Z,,,false`,
      );
    }
    expect(countPlan(plan('pocket-csv', pocket.join('\n')))).toMatchObject({ cards: 5000, collections: 0 });
    expect(countPlan(plan('raindrop-csv', raindrop.join('\r\n')))).toMatchObject({ cards: 5000, collections: 11 });
  });
});

describe('formats out', () => {
  async function seeded() {
    const client = createRecordingClient();
    await commitImportPlan(client, plan('bookmarks-html', fixture('firefox-bookmarks.html')), 'ws');
    await client.create(
      'cards',
      { kind: 'note', title: 'A note', content: 'text', tags: [], collectionIds: [], pinned: false },
      { workspaceId: 'ws' },
    );
    return client;
  }

  it('writes a bookmarks.html in the layout browsers write, which reads back with folders, dates and details', async () => {
    const client = await seeded();
    const { text, fileName } = await exportText(client, { id: 'ws', name: 'Mein Café' }, 'bookmarks-html');
    expect(fileName).toBe('burrow-mein-caf-.html');
    expect(text.startsWith('<!DOCTYPE NETSCAPE-Bookmark-file-1>\n')).toBe(true);
    expect(text).toContain('<DT><H3 ADD_DATE="1699990520" LAST_MODIFIED="1699990530">Küche &amp; Café</H3>');
    expect(text).toContain(
      '<DT><A HREF="https://developer.mozilla.org/en-US/search?q=%s" ADD_DATE="1699990300" LAST_MODIFIED="1699990400" SHORTCUTURL="mdn" TAGS="docs,web">MDN search</A>',
    );
    const original = shape(plan('bookmarks-html', fixture('firefox-bookmarks.html')));
    const again = shape(plan('bookmarks-html', text));
    expect(again.folders.sort()).toEqual(original.folders.sort());
    expect(again.cards).toEqual(original.cards);
    expect(folderDates(plan('bookmarks-html', text))).toEqual(
      folderDates(plan('bookmarks-html', fixture('firefox-bookmarks.html'))),
    );
    // Importing it into the workspace it came from adds nothing.
    expect(countPlan(planImport('bookmarks-html', text, await readWorkspaceIndex(client, 'ws')))).toMatchObject({
      cards: 0,
      collections: 0,
    });
    expect(parseNetscapeBookmarks(text).children.some((child) => child.title === 'A note')).toBe(false);
  });

  it("writes a CSV in Raindrop's columns that reads back", async () => {
    const client = await seeded();
    const { text } = await exportText(client, { id: 'ws', name: 'W' }, 'csv');
    expect(text.split('\n')[0]).toBe('id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite');
    const again = shape(plan('raindrop-csv', text));
    const original = shape(plan('bookmarks-html', fixture('firefox-bookmarks.html')));
    // A CSV names folders only on rows: the empty "Other Bookmarks" is not in it.
    expect(again.folders.sort()).toEqual(original.folders.filter((folder) => folder !== '/Other Bookmarks').sort());
    for (const [url, card] of Object.entries(original.cards)) {
      expect(again.cards[url]).toMatchObject({
        title: card.title,
        savedAt: card.savedAt,
        tags: card.tags,
        collectionIds: card.collectionIds,
      });
    }
  });

  it('writes a Burrow export with each record’s creation time', async () => {
    const client = await seeded();
    const { text } = await exportText(client, { id: 'ws', name: 'W' }, 'burrow-json');
    const file = JSON.parse(text) as { cards: { createdAt: string; fields: Record<string, unknown> }[] };
    expect(file.cards).toHaveLength(8);
    for (const card of file.cards) expect(Date.now() - Date.parse(card.createdAt)).toBeLessThan(60_000);
    expect(file.cards.find((card) => card.fields.title === 'MDN search')?.fields).toMatchObject({
      savedAt: '2023-11-14T19:31:40Z',
      modifiedAt: '2023-11-14T19:33:20Z',
    });
  });
});
