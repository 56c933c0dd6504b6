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

/**
 * A card's folded text (its distinct words), a bit set of its grams (about two bits per character, 512 to 131,072)
 * and the ASCII letters and digits it has: a one-letter search has no gram, and a letter the
 * card lacks ("q") would otherwise cost a read of its whole text.
 */
interface SearchEntry {
  text: string;
  filter: Uint32Array;
  characters: CharacterSet;
}

/** The letters a–z (bits 0–25 of `letters`) and digits 0–9 (bits of `digits`) of a folded text. */
interface CharacterSet {
  letters: number;
  digits: number;
}

function charactersOf(text: string): CharacterSet {
  let letters = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 97 && code <= 122) letters |= 1 << (code - 97);
    else if (code >= 48 && code <= 57) digits |= 1 << (code - 48);
  }
  return { letters, digits };
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

/**
 * The distinct words of a folded text (runs without white space), once each, in order. A search
 * word holds no white space, so it occurs in the text exactly where it occurs in one of its
 * words: the same matches from a shorter text (69% of it in the search bench's library), which a
 * search reads to the end wherever a word is missing.
 */
function distinctWords(folded: string): string {
  const words = new Set(folded.split(/\s+/));
  words.delete('');
  return [...words].join(' ');
}

function entryOf(card: RecordView): SearchEntry {
  let entry = entries.get(card);
  if (entry === undefined) {
    const text = distinctWords(foldForSearch(searchableText(card)));
    entry = { text, filter: filterOf(text), characters: charactersOf(text) };
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
  /** Every ASCII letter and digit of the words. */
  characters: CharacterSet;
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
  const compiled = { words, grams, characters: charactersOf(words.join(' ')) };
  lastCompiled = { search, compiled };
  return compiled;
}

/** True if every word of the search occurs in the card's folded text. */
export function matchesCompiled(card: RecordView, search: CompiledSearch): boolean {
  if (search.words.length === 0) return true;
  const { text, filter, characters } = entryOf(card);
  const wanted = search.characters;
  if ((characters.letters & wanted.letters) !== wanted.letters || (characters.digits & wanted.digits) !== wanted.digits)
    return false;
  const mask = (filter.length << 5) - 1;
  for (const grams of search.grams) {
    for (const hash of grams) {
      const bit = bitOf(hash, mask);
      if ((filter[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
  }
  return search.words.every((word) => text.includes(word));
}
