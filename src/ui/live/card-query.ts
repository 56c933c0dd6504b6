/** Search, filter and sort of cards, as the card views show them. */
import type { CardFields } from '../../../protocol/index.ts';
import type { RecordView } from '../../api/client.ts';
import { compileSearch, matchesCompiled } from './card-search.ts';

export type SortBy = 'updated' | 'created' | 'title' | 'manual';
export type SortDir = 'asc' | 'desc';

export interface CardFilters {
  kind?: 'link' | 'note';
  tags?: string[];
  pinned?: boolean;
  /** Cards filed in this collection or in any collection nested in it. */
  collectionIds?: ReadonlySet<string>;
}

/** A card's fields, typed. */
export function cardFields(card: RecordView): CardFields {
  return card.fields as unknown as CardFields;
}

/** True if every word of `search` occurs in the card (title, site, URL, description, content, article text, tags), ignoring case and accents. */
export function matchesSearch(card: RecordView, search: string): boolean {
  return matchesCompiled(card, compileSearch(search));
}

export function matchesFilters(card: RecordView, filters: CardFilters): boolean {
  const fields = cardFields(card);
  if (filters.kind && fields.kind !== filters.kind) return false;
  if (filters.pinned && !fields.pinned) return false;
  if (filters.tags?.length && !filters.tags.every((tag) => fields.tags?.includes(tag))) return false;
  if (filters.collectionIds && !fields.collectionIds?.some((id) => filters.collectionIds!.has(id))) return false;
  return true;
}

const titleCollator = new Intl.Collator(undefined, { sensitivity: 'base' });

function compareIds(a: RecordView, b: RecordView): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** When each card was saved, in milliseconds, by card object (records are immutable). */
const savedTimes = new WeakMap<RecordView, number>();

/**
 * When a card was saved: its `savedAt` (an import keeps the bookmark's ADD_DATE there), else its
 * creation time read from its UUIDv7 id; other ids count as oldest.
 */
export function savedTimeOf(card: RecordView): number {
  let time = savedTimes.get(card);
  if (time === undefined) {
    const savedAt = cardFields(card).savedAt;
    const parsed = typeof savedAt === 'string' ? Date.parse(savedAt) : Number.NaN;
    time = Number.isNaN(parsed) ? createdTimeOf(card.id) : parsed;
    savedTimes.set(card, time);
  }
  return time;
}

/** The milliseconds a UUIDv7 starts with, or -Infinity for another kind of id. */
function createdTimeOf(id: string): number {
  if (id[14] !== '7') return Number.NEGATIVE_INFINITY;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

function compareSaved(a: RecordView, b: RecordView): number {
  return savedTimeOf(a) - savedTimeOf(b);
}

function compareTitles(a: RecordView, b: RecordView): number {
  return titleCollator.compare(cardFields(a).title ?? '', cardFields(b).title ?? '');
}

/**
 * The order of a card view, pinned first, ties broken by id so the order is total. "created"
 * ("Newest first", "Oldest first") orders by when the person saved the card (`savedTimeOf`);
 * RecordView carries no update time, so "updated" does the same; "manual" keeps ids in order.
 */
export function cardOrder(sortBy: SortBy, sortDir: SortDir): (a: RecordView, b: RecordView) => number {
  const direction = sortDir === 'asc' ? 1 : -1;
  const byKey = sortBy === 'title' ? compareTitles : sortBy === 'manual' ? () => 0 : compareSaved;
  return (a, b) => {
    const pinned = Number(Boolean(cardFields(b).pinned)) - Number(Boolean(cardFields(a).pinned));
    return pinned || direction * byKey(a, b) || compareIds(a, b);
  };
}

export function sortCards(cards: RecordView[], sortBy: SortBy, sortDir: SortDir): RecordView[] {
  return [...cards].sort(cardOrder(sortBy, sortDir));
}

/** Whether a card shows in a view with this search and these filters. */
export function cardMatches(card: RecordView, search: string, filters: CardFilters): boolean {
  // The search last: the filters cost a field read, the search may read the card's whole text.
  return !card.deleted && matchesFilters(card, filters) && matchesSearch(card, search);
}

/** The live cards matching search and filters, sorted. */
export function queryCards(
  cards: RecordView[],
  search: string,
  filters: CardFilters,
  sortBy: SortBy,
  sortDir: SortDir,
): RecordView[] {
  return sortCards(
    cards.filter((card) => cardMatches(card, search, filters)),
    sortBy,
    sortDir,
  );
}

/** Every tag in use, sorted. */
export function allTags(cards: RecordView[]): string[] {
  const tags = new Set<string>();
  for (const card of cards) if (!card.deleted) for (const tag of cardFields(card).tags ?? []) tags.add(tag);
  return sortTags(tags);
}

export function sortTags(tags: Iterable<string>): string[] {
  return [...tags].sort((a, b) => a.localeCompare(b));
}

/** Tags typed as "a, b, #c" → ["a", "b", "c"], without duplicates. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((tag) => tag.trim().replace(/^#/, ''))
        .filter(Boolean),
    ),
  ];
}
