/** A tolerant parser of the Netscape bookmarks format (`bookmarks.html`) every browser exports. */
import { ImportError } from './import-error.ts';

export interface BookmarkFolder {
  kind: 'folder';
  title: string;
  /** Seconds since the epoch, as the file has it (ADD_DATE): when the folder was made. */
  addDate?: number;
  /** Seconds since the epoch (LAST_MODIFIED): when its contents last changed. */
  lastModified?: number;
  children: BookmarkNode[];
}

export interface Bookmark {
  kind: 'bookmark';
  title: string;
  url: string;
  /** Seconds since the epoch (ADD_DATE): when it was saved. */
  addDate?: number;
  /** Seconds since the epoch (LAST_MODIFIED). */
  lastModified?: number;
  /** The ICON attribute: a data URL, as Chrome and Firefox write it. */
  icon?: string;
  /** Firefox's keyword (SHORTCUTURL): typed in the address bar to open the bookmark. */
  shortcut?: string;
  description?: string;
  /** The person's own note on it (Raindrop's `note`): the card's content. */
  note?: string;
  /** Marked as a favourite where it came from: the card is pinned. */
  pinned?: boolean;
  tags: string[];
}

export type BookmarkNode = BookmarkFolder | Bookmark;

type Token =
  | { type: 'open'; name: string; attributes: Record<string, string> }
  | { type: 'close'; name: string }
  | { type: 'text'; text: string };

/**
 * Splits HTML into tags and text. Not a full HTML parser (DOMParser is not in Node and the
 * format is simple): it honours quoted attribute values and skips comments and doctypes.
 */
export function tokenizeHtml(html: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < html.length) {
    const open = html.indexOf('<', index);
    const textEnd = open < 0 ? html.length : open;
    if (textEnd > index) tokens.push({ type: 'text', text: html.slice(index, textEnd) });
    if (open < 0) break;
    index = readTag(html, open, tokens);
  }
  return tokens;
}

/** Reads the tag at `open` into `tokens` and returns the index after it. */
function readTag(html: string, open: number, tokens: Token[]): number {
  if (html.startsWith('<!--', open)) {
    const close = html.indexOf('-->', open + 4);
    return close < 0 ? html.length : close + 3;
  }
  if (html[open + 1] === '!' || html[open + 1] === '?') {
    const close = html.indexOf('>', open);
    return close < 0 ? html.length : close + 1;
  }
  const closing = html[open + 1] === '/';
  const nameMatch = /^[a-zA-Z][a-zA-Z0-9]*/.exec(html.slice(open + (closing ? 2 : 1), open + 40));
  if (!nameMatch) {
    tokens.push({ type: 'text', text: '<' });
    return open + 1;
  }
  const name = nameMatch[0].toLowerCase();
  const { attributes, end } = readAttributes(html, open + (closing ? 2 : 1) + nameMatch[0].length);
  tokens.push(closing ? { type: 'close', name } : { type: 'open', name, attributes });
  return end;
}

const ATTRIBUTE = /\s*([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/y;

function readAttributes(html: string, start: number): { attributes: Record<string, string>; end: number } {
  const attributes: Record<string, string> = {};
  let index = start;
  while (index < html.length) {
    while (/[\s/]/.test(html[index] ?? '')) index++;
    if (index >= html.length) break;
    if (html[index] === '>') return { attributes, end: index + 1 };
    ATTRIBUTE.lastIndex = index;
    const match = ATTRIBUTE.exec(html);
    if (!match) {
      index++;
      continue;
    }
    attributes[match[1].toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
    index = ATTRIBUTE.lastIndex;
  }
  return { attributes, end: html.length };
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references browsers write into bookmark files. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/g, (whole, body: string) => {
    if (body[0] !== '#') return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
    const codePoint = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
    return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
  });
}

/**
 * A time attribute as seconds since the epoch. Browsers write seconds; some tools write
 * milliseconds or (as Firefox's database keeps them) microseconds, told apart by size.
 */
export function parseEpochSeconds(raw: string | undefined): number | undefined {
  if (!raw || !/^\d{1,17}$/.test(raw.trim())) return undefined;
  const value = Number(raw.trim());
  if (value >= 1e14) return Math.floor(value / 1e6);
  if (value >= 1e11) return Math.floor(value / 1e3);
  return value;
}

const parseAddDate = parseEpochSeconds;

export function parseTags(raw: string | undefined): string[] {
  if (!raw) return [];
  return [
    ...new Set(
      raw
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
}

/** Collects text tokens from `start` until a token that is not text or an inline close. */
function collectText(tokens: Token[], start: number, until: string): { text: string; next: number } {
  let text = '';
  let index = start;
  for (; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.type === 'text') text += token.text;
    else if (token.type === 'close' && token.name === until) return { text, next: index + 1 };
    else if (token.type === 'open' && ['dt', 'dl', 'dd', 'h3', 'a'].includes(token.name)) break;
    else if (token.type === 'close' && ['dl'].includes(token.name)) break;
  }
  return { text, next: index };
}

export function cleanText(text: string): string {
  return decodeEntities(text).replace(/\s+/g, ' ').trim();
}

/**
 * Parses a bookmarks file into its folder tree. The root folder stands for the file itself;
 * its children are the top-level folders and bookmarks. Throws ImportError when the file is
 * not a bookmarks export or holds no bookmarks.
 */
export function parseNetscapeBookmarks(html: string): BookmarkFolder {
  const tokens = tokenizeHtml(html);
  if (!tokens.some((token) => token.type === 'open' && token.name === 'dl')) {
    throw new ImportError('This file is not a browser bookmarks export (bookmarks.html): it has no bookmark list.');
  }
  const root: BookmarkFolder = { kind: 'folder', title: '', children: [] };
  buildTree(tokens, root);
  if (countBookmarks(root) === 0) throw new ImportError('This bookmarks file holds no links to import.');
  return root;
}

function buildTree(tokens: Token[], root: BookmarkFolder): void {
  const stack: BookmarkFolder[] = [];
  let pendingFolder: BookmarkFolder | null = null;
  let lastBookmark: Bookmark | null = null;
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index];
    const current = stack.at(-1) ?? root;
    index++;
    if (token.type === 'open' && token.name === 'dl') {
      // A list belongs to the folder heading before it; one without (the first, in Chrome's and
      // Firefox's layouts) is the file's own. Safari's has no list of its own: its top-level
      // folders stand at the root.
      stack.push(pendingFolder ?? current);
      pendingFolder = null;
    } else if (token.type === 'close' && token.name === 'dl') {
      stack.pop();
    } else if (token.type === 'open' && token.name === 'h3') {
      const { text, next } = collectText(tokens, index, 'h3');
      pendingFolder = { kind: 'folder', title: cleanText(text), children: [] };
      const addDate = parseAddDate(token.attributes.add_date);
      if (addDate !== undefined) pendingFolder.addDate = addDate;
      const lastModified = parseEpochSeconds(token.attributes.last_modified);
      if (lastModified !== undefined) pendingFolder.lastModified = lastModified;
      current.children.push(pendingFolder);
      lastBookmark = null;
      index = next;
    } else if (token.type === 'open' && token.name === 'a') {
      // A heading followed by a link, not a list, is an empty folder.
      pendingFolder = null;
      const { text, next } = collectText(tokens, index, 'a');
      lastBookmark = readBookmark(token.attributes, cleanText(text));
      current.children.push(lastBookmark);
      index = next;
    } else if (token.type === 'open' && token.name === 'dd' && lastBookmark) {
      const { text, next } = collectText(tokens, index, 'dd');
      const description = cleanText(text);
      if (description) lastBookmark.description = description;
      index = next;
    }
  }
}

function readBookmark(attributes: Record<string, string>, title: string): Bookmark {
  const bookmark: Bookmark = { kind: 'bookmark', title, url: (attributes.href ?? '').trim(), tags: [] };
  const addDate = parseAddDate(attributes.add_date);
  if (addDate !== undefined) bookmark.addDate = addDate;
  const lastModified = parseEpochSeconds(attributes.last_modified);
  if (lastModified !== undefined) bookmark.lastModified = lastModified;
  if (attributes.icon?.startsWith('data:')) bookmark.icon = attributes.icon.trim();
  const shortcut = attributes.shortcuturl?.trim();
  if (shortcut) bookmark.shortcut = shortcut;
  bookmark.tags = parseTags(attributes.tags);
  return bookmark;
}

/** How many bookmarks the tree holds, in every folder. */
export function countBookmarks(folder: BookmarkFolder): number {
  return folder.children.reduce((sum, child) => sum + (child.kind === 'bookmark' ? 1 : countBookmarks(child)), 0);
}
