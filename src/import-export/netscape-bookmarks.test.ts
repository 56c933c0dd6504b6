import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImportError } from './import-error.ts';
import {
  type Bookmark,
  type BookmarkFolder,
  countBookmarks,
  decodeEntities,
  parseNetscapeBookmarks,
} from './netscape-bookmarks.ts';

const fixture = readFileSync(new URL('../../tests/app/fixtures/bookmarks.html', import.meta.url), 'utf8');

function folder(node: BookmarkFolder, title: string): BookmarkFolder {
  const found = node.children.find(
    (child): child is BookmarkFolder => child.kind === 'folder' && child.title === title,
  );
  if (!found) throw new Error(`no folder ${title}`);
  return found;
}

function links(node: BookmarkFolder): Bookmark[] {
  return node.children.filter((child): child is Bookmark => child.kind === 'bookmark');
}

describe('parseNetscapeBookmarks', () => {
  describe('a Chrome export', () => {
    const root = parseNetscapeBookmarks(fixture);

    it('keeps top-level folders and links at the root', () => {
      expect(root.children.map((child) => child.title)).toEqual([
        'Bookmarks bar',
        'Other bookmarks',
        'A top-level link',
      ]);
    });

    it('nests folders as the file does', () => {
      const deep = folder(folder(folder(root, 'Bookmarks bar'), 'Reading'), 'Deep "nested" folder');
      expect(links(deep).map((link) => link.url)).toEqual([
        'https://sqlite.org/wal.html',
        'https://web.dev/articles/offline-cookbook',
      ]);
    });

    it('reads titles with entities, dates, tags and descriptions', () => {
      const reading = folder(folder(root, 'Bookmarks bar'), 'Reading');
      expect(links(reading)[0]).toEqual({
        kind: 'bookmark',
        title: 'RFC 9457: Problem Details for HTTP APIs',
        url: 'https://www.rfc-editor.org/rfc/rfc9457',
        addDate: 1700000310,
        description: 'The problem+json format, used by our API.',
        tags: ['http', 'errors'],
      });
      expect(links(folder(root, 'Other bookmarks'))[0].title).toBe('Preact – Fast 3kB alternative to React');
      expect(folder(root, 'Bookmarks bar').addDate).toBe(1700000000);
    });

    it('counts every link, unsupported ones included', () => {
      expect(countBookmarks(root)).toBe(10);
    });
  });

  describe('tolerance', () => {
    it('reads lowercase tags, unquoted attributes and a missing closing list', () => {
      const root = parseNetscapeBookmarks('<dl><dt><h3>F</h3><dl><dt><a href=https://a.example/>A</a>');
      expect(folder(root, 'F').children).toEqual([
        { kind: 'bookmark', title: 'A', url: 'https://a.example/', tags: [] },
      ]);
    });

    it('keeps a > inside a quoted attribute', () => {
      const root = parseNetscapeBookmarks('<DL><DT><A HREF="https://a.example/?q=a>b">T</A></DL>');
      expect(links(root)[0].url).toBe('https://a.example/?q=a>b');
    });
  });

  describe('bad files', () => {
    it('refuses a file with no bookmark list', () => {
      const html = readFileSync(new URL('../../tests/app/fixtures/broken-bookmarks.html', import.meta.url), 'utf8');
      expect(() => parseNetscapeBookmarks(html)).toThrow(ImportError);
      expect(() => parseNetscapeBookmarks(html)).toThrow(/not a browser bookmarks export/);
    });

    it('refuses a list without links', () => {
      expect(() => parseNetscapeBookmarks('<DL><p><DT><H3>Empty</H3><DL></DL></DL>')).toThrow(/no links/);
    });
  });
});

describe('decodeEntities', () => {
  it('decodes named, decimal and hex references and leaves unknown ones', () => {
    expect(decodeEntities('&amp;&lt;&#8211;&#x1F600;&bogus;')).toBe('&<–😀&bogus;');
  });
});
