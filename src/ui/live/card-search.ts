/**
 * Search over cards, ignoring case and accents: each card's searchable text folded once (per
 * immutable record object) with a small n-gram filter beside it, so a search skips most cards
 * without reading their text. A word matches where it occurs anywhere in the folded text.
 */
import type { CardFields } from '../../../protocol/index.ts';
import type { RecordView } from '../../api/client.ts';

/** Letters that lose nothing to decomposition but have a plain spelling people type. */
const SPELLED_OUT: Record<string, string> = {
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ß: 'ss',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};
const MARKS = /\p{M}/gu;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
/** What each non-ASCII character folds to, learned as met (a text repeats few of them). */
const foldedCharacters = new Map<string, string>();

function foldCharacter(character: string): string {
  let folded = foldedCharacters.get(character);
  if (folded === undefined) {
    folded = '';
    for (const part of character.normalize('NFKD').replace(MARKS, '').toLowerCase()) {
      // Punctuation and symbols (curly quotes, dashes, emoji) become a space, as they separate words.
      folded += SPELLED_OUT[part] ?? (part.charCodeAt(0) < 128 || LETTER_OR_NUMBER.test(part) ? part : ' ');
    }
    foldedCharacters.set(character, folded);
  }
  return folded;
}

/**
 * `text` as search compares it: lower case, accents and other marks dropped (`Zürich` →
 * `zurich`, `Café` → `cafe`, `ﬁ` → `fi`), non-ASCII punctuation a space. ASCII passes untouched
 * but for case, so URLs keep their dots and slashes.
 */
export function foldForSearch(text: string): string {
  return text.toLowerCase().replace(/[^\x00-\x7f]/gu, foldCharacter);
}

/** Whether a character code is part of a word for the n-gram filter (a–z, 0–9, any non-ASCII). */
function isWordCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code > 127;
}

/** The hashes of every two- and three-character run inside the words of `text` (folded). */
function forEachGram(text: string, visit: (hash: number) => void): void {
  let first = 0;
  let second = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isWordCode(code)) {
      first = 0;
      second = 0;
      continue;
    }
    if (second !== 0) {
      visit(Math.imul(Math.imul(second, 0x9e3779b1) ^ code, 0x85ebca6b));
      if (first !== 0)
        visit(Math.imul(Math.imul(Math.imul(first, 0x9e3779b1) ^ second, 0xc2b2ae35) ^ code, 0x27d4eb2f));
    }
    first = second;
    second = code;
  }
}

/** The bit a gram sets in a filter of `mask + 1` bits. */
function bitOf(hash: number, mask: number): number {
  return (hash ^ (hash >>> 15)) & mask;
}

/** A card's folded text and a bit set of its grams (about two bits per character, 512 to 131,072). */
interface SearchEntry {
  text: string;
  filter: Uint32Array;
}

function filterOf(text: string): Uint32Array {
  let bits = 512;
  while (bits < text.length * 2 && bits < 131_072) bits *= 2;
  const filter = new Uint32Array(bits >>> 5);
  const mask = bits - 1;
  forEachGram(text, (hash) => {
    const bit = bitOf(hash, mask);
    filter[bit >>> 5] |= 1 << (bit & 31);
  });
  return filter;
}

/** Search entries by card object: records are immutable, so a card's entry is built once. */
const entries = new WeakMap<RecordView, SearchEntry>();

/** The text a search reads: title, site, URL, description, content, article text and tags. */
function searchableText(card: RecordView): string {
  const fields = card.fields as unknown as CardFields;
  const parts = [fields.title, fields.siteName, fields.url, fields.description, fields.content, fields.articleText];
  return [...parts, ...(fields.tags ?? [])].filter(Boolean).join('\n');
}

function entryOf(card: RecordView): SearchEntry {
  let entry = entries.get(card);
  if (entry === undefined) {
    const text = foldForSearch(searchableText(card));
    entry = { text, filter: filterOf(text) };
    entries.set(card, entry);
  }
  return entry;
}

/**
 * Builds the entries of `cards` not built yet, until `hasTime()` says stop; true when all are
 * built. Run while the page is idle, so the first search does not fold every article at once.
 */
export function prepareSearch(cards: readonly RecordView[], hasTime: () => boolean): boolean {
  for (const card of cards) {
    if (entries.has(card)) continue;
    if (!hasTime()) return false;
    entryOf(card);
  }
  return true;
}

/** A search compiled once for many cards: its folded words and each word's grams. */
export interface CompiledSearch {
  words: string[];
  grams: number[][];
}

let lastCompiled: { search: string; compiled: CompiledSearch } | null = null;

/** The words of `search` (a leading `#` dropped, for tags), folded, with their grams. */
export function compileSearch(search: string): CompiledSearch {
  if (lastCompiled?.search === search) return lastCompiled.compiled;
  const words = foldForSearch(search)
    .split(/\s+/)
    .map((word) => word.replace(/^#/, ''))
    .filter(Boolean);
  const grams = words.map((word) => {
    const hashes: number[] = [];
    forEachGram(word, (hash) => hashes.push(hash));
    return hashes;
  });
  const compiled = { words, grams };
  lastCompiled = { search, compiled };
  return compiled;
}

/** True if every word of the search occurs in the card's folded text. */
export function matchesCompiled(card: RecordView, search: CompiledSearch): boolean {
  if (search.words.length === 0) return true;
  const { text, filter } = entryOf(card);
  const mask = (filter.length << 5) - 1;
  for (const grams of search.grams) {
    for (const hash of grams) {
      const bit = bitOf(hash, mask);
      if ((filter[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
  }
  return search.words.every((word) => text.includes(word));
}
