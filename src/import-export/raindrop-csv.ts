/** Raindrop.io's CSV export as a bookmarks tree (Burrow's own CSV export writes the same columns). */
import { readCsvRows } from './csv-rows.ts';
import { FolderTree, splitFolderPath } from './folder-paths.ts';
import { ImportError } from './import-error.ts';
import type { Bookmark, BookmarkFolder } from './netscape-bookmarks.ts';

/** Raindrop's columns, in its order. */
export const RAINDROP_COLUMNS = [
  'id',
  'title',
  'note',
  'excerpt',
  'url',
  'folder',
  'tags',
  'created',
  'cover',
  'highlights',
  'favorite',
];

/** An ISO time (Raindrop's `created`) as seconds since the epoch. */
function isoToSeconds(raw: string | undefined): number | undefined {
  if (!raw) return undefined;
  const time = Date.parse(raw.trim());
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
}

/**
 * Reads `id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite`: `folder`
 * is a path (`Parent/Child`), `tags` are separated by commas, `favorite` pins the card. The
 * cover is left to the server's own fetch.
 */
export function parseRaindropCsv(text: string): BookmarkFolder {
  const rows = readCsvRows(text, 'a Raindrop CSV export', ['url', 'title']);
  const tree = new FolderTree();
  for (const row of rows) {
    const bookmark: Bookmark = {
      kind: 'bookmark',
      title: row.title?.trim() ?? '',
      url: row.url?.trim() ?? '',
      tags: (row.tags ?? '')
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
    };
    const addDate = isoToSeconds(row.created);
    if (addDate !== undefined) bookmark.addDate = addDate;
    if (row.excerpt?.trim()) bookmark.description = row.excerpt.trim();
    if (row.note?.trim()) bookmark.note = row.note;
    if (row.favorite?.trim() === 'true') bookmark.pinned = true;
    const path = splitFolderPath(row.folder);
    // Raindrop's "Unsorted" is where links without a collection are: the top here.
    tree.add(path.length === 1 && path[0] === 'Unsorted' ? [] : path, bookmark);
  }
  if (rows.length === 0) throw new ImportError('This Raindrop export holds no links to import.');
  return tree.root;
}
