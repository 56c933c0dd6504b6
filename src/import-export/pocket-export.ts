/** Pocket's exports, HTML (`ril_export.html`) and CSV (`part_000000.csv`), as a bookmarks tree. */

import { readCsvRows } from './csv-rows.ts';
import { ImportError } from './import-error.ts';
import {
  type Bookmark,
  type BookmarkFolder,
  cleanText,
  parseEpochSeconds,
  parseTags,
  tokenizeHtml,
} from './netscape-bookmarks.ts';

/** Pocket's "Read Archive": what the person had read, kept as a tag (Pocket had no folders). */
export const ARCHIVED_TAG = 'archived';

function bookmark(
  url: string,
  title: string,
  timeAdded: string | undefined,
  tags: string[],
  archived: boolean,
): Bookmark {
  const entry: Bookmark = { kind: 'bookmark', title, url: url.trim(), tags: archived ? [...tags, ARCHIVED_TAG] : tags };
  const addDate = parseEpochSeconds(timeAdded);
  if (addDate !== undefined) entry.addDate = addDate;
  return entry;
}

/**
 * Reads Pocket's HTML export: `<h1>Unread</h1>` and `<h1>Read Archive</h1>`, each followed
 * by a `<ul>` of `<li><a href time_added tags>title</a>`.
 */
export function parsePocketHtml(html: string): BookmarkFolder {
  const tokens = tokenizeHtml(html);
  const root: BookmarkFolder = { kind: 'folder', title: '', children: [] };
  let archived = false;
  let sawList = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.type !== 'open') continue;
    if (token.name === 'ul') sawList = true;
    if (token.name === 'h1') {
      const heading = tokens[index + 1];
      archived = heading?.type === 'text' && /archive/i.test(heading.text);
    } else if (token.name === 'a' && token.attributes.href) {
      let text = '';
      for (let next = index + 1; next < tokens.length && tokens[next].type === 'text'; next++) {
        text += (tokens[next] as { text: string }).text;
      }
      const { href, time_added: timeAdded, tags } = token.attributes;
      root.children.push(bookmark(href, cleanText(text), timeAdded, parseTags(tags), archived));
    }
  }
  if (!sawList) throw new ImportError('This file is not a Pocket export (ril_export.html): it has no list of links.');
  if (root.children.length === 0) throw new ImportError('This Pocket export holds no links to import.');
  return root;
}

/** Reads Pocket's CSV export: `title,url,time_added,tags,status`, tags separated by `|`. */
export function parsePocketCsv(text: string): BookmarkFolder {
  const rows = readCsvRows(text, 'a Pocket CSV export', ['url', 'time_added']);
  const root: BookmarkFolder = { kind: 'folder', title: '', children: [] };
  for (const row of rows) {
    const tags = row.tags
      ? row.tags
          .split('|')
          .map((tag) => tag.trim())
          .filter(Boolean)
      : [];
    root.children.push(bookmark(row.url, row.title?.trim() ?? '', row.time_added, tags, row.status === 'archive'));
  }
  if (root.children.length === 0) throw new ImportError('This Pocket export holds no links to import.');
  return root;
}
