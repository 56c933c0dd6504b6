/**
 * A workspace's links as a Netscape bookmarks.html, the layout Chrome and Firefox write and
 * import: collections as nested folders, with dates, icons, keywords and tags.
 */
import type { RecordView } from '../api/client.ts';
import { epochSeconds, savedAtOf } from './record-times.ts';

const KEYWORD_TAG = 'keyword:';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attributes(pairs: [string, string | number | undefined][]): string {
  return pairs
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined && pair[1] !== '')
    .map(([name, value]) => ` ${name}="${escapeHtml(String(value))}"`)
    .join('');
}

function linkLines(card: RecordView, indent: string): string[] {
  const tags = (card.fields.tags as string[] | undefined) ?? [];
  const keyword = tags.find((tag) => tag.startsWith(KEYWORD_TAG))?.slice(KEYWORD_TAG.length);
  const plainTags = tags.filter((tag) => !tag.startsWith(KEYWORD_TAG));
  const favicon =
    typeof card.fields.favicon === 'string' && card.fields.favicon.startsWith('data:')
      ? card.fields.favicon
      : undefined;
  const attrs = attributes([
    ['HREF', card.fields.url as string],
    ['ADD_DATE', epochSeconds(savedAtOf(card))],
    ['LAST_MODIFIED', epochSeconds(card.fields.modifiedAt as string | undefined)],
    ['ICON', favicon],
    ['SHORTCUTURL', keyword],
    ['TAGS', plainTags.join(',')],
  ]);
  const lines = [`${indent}<DT><A${attrs}>${escapeHtml(String(card.fields.title || card.fields.url))}</A>`];
  const description = typeof card.fields.description === 'string' ? card.fields.description.trim() : '';
  if (description) lines.push(`${indent}<DD>${escapeHtml(description.replace(/\s+/g, ' '))}`);
  return lines;
}

/**
 * Writes the live link cards of `cards` filed under the live `collections` (a card in two
 * collections appears in both; one in none at the top). Notes are not bookmarks: they are in
 * the Burrow export only.
 */
export function writeBookmarksHtml(collections: RecordView[], cards: RecordView[]): string {
  const live = collections.filter((collection) => !collection.deleted);
  const ids = new Set(live.map((collection) => collection.id));
  const childrenOf = new Map<string | null, RecordView[]>();
  for (const collection of live) {
    const parent = ids.has(collection.fields.parentId as string) ? (collection.fields.parentId as string) : null;
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), collection]);
  }
  const linksIn = new Map<string | null, RecordView[]>();
  for (const card of cards) {
    if (card.deleted || card.fields.kind !== 'link' || typeof card.fields.url !== 'string') continue;
    const filed = ((card.fields.collectionIds as string[] | undefined) ?? []).filter((id) => ids.has(id));
    for (const place of filed.length ? filed : [null]) linksIn.set(place, [...(linksIn.get(place) ?? []), card]);
  }
  const lines: string[] = [];
  const seen = new Set<string>();
  const writeFolder = (parent: string | null, depth: number) => {
    const indent = '    '.repeat(depth);
    const folders = [...(childrenOf.get(parent) ?? [])].sort(
      (a, b) => Number(a.fields.position) - Number(b.fields.position) || a.id.localeCompare(b.id),
    );
    for (const folder of folders) {
      if (seen.has(folder.id)) continue;
      seen.add(folder.id);
      const dates = attributes([
        ['ADD_DATE', epochSeconds(savedAtOf(folder))],
        ['LAST_MODIFIED', epochSeconds(folder.fields.modifiedAt as string | undefined)],
      ]);
      lines.push(`${indent}<DT><H3${dates}>${escapeHtml(String(folder.fields.name))}</H3>`, `${indent}<DL><p>`);
      writeFolder(folder.id, depth + 1);
      lines.push(`${indent}</DL><p>`);
    }
    for (const card of linksIn.get(parent) ?? []) lines.push(...linkLines(card, indent));
  };
  writeFolder(null, 1);
  return [
    '<!DOCTYPE NETSCAPE-Bookmark-file-1>',
    '<!-- This is an automatically generated file.',
    '     It will be read and overwritten.',
    '     DO NOT EDIT! -->',
    '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
    '<TITLE>Bookmarks</TITLE>',
    '<H1>Bookmarks</H1>',
    '<DL><p>',
    ...lines,
    '</DL><p>',
    '',
  ].join('\n');
}
