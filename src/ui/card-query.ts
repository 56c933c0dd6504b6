/** Search, filter and sort of cards, as the card views show them. */
import type { CardFields } from '../../protocol/index.ts';
import type { RecordView } from '../store/types.ts';

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

/** Milliseconds encoded in a UUIDv7 (its creation time); 0 for other ids. */
export function idTime(id: string): number {
  const hex = id.slice(0, 8) + id.slice(9, 13);
  return id[14] === '7' ? Number.parseInt(hex, 16) : 0;
}

/** The searchable text of a card: title, URL, description, content and tags, lowercased. */
function haystack(card: RecordView): string {
  const fields = cardFields(card);
  return [fields.title, fields.url, fields.description, fields.content, ...(fields.tags ?? [])]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
}

/** True if every word of `search` occurs in the card (title, URL, description, content, tags). */
export function matchesSearch(card: RecordView, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = haystack(card);
  return words.every((word) => text.includes(word.replace(/^#/, '')));
}

export function matchesFilters(card: RecordView, filters: CardFilters): boolean {
  const fields = cardFields(card);
  if (filters.kind && fields.kind !== filters.kind) return false;
  if (filters.pinned && !fields.pinned) return false;
  if (filters.tags?.length && !filters.tags.every((tag) => fields.tags?.includes(tag))) return false;
  if (filters.collectionIds && !fields.collectionIds?.some((id) => filters.collectionIds!.has(id))) return false;
  return true;
}

/**
 * Sorts cards, pinned first. RecordView carries no timestamps, so "updated" and "created" both
 * order by creation time (read from the UUIDv7 id); "manual" keeps the given order.
 */
export function sortCards(cards: RecordView[], sortBy: SortBy, sortDir: SortDir): RecordView[] {
  const direction = sortDir === 'asc' ? 1 : -1;
  const compare = (a: RecordView, b: RecordView): number => {
    if (sortBy === 'title') {
      return cardFields(a).title.localeCompare(cardFields(b).title, undefined, { sensitivity: 'base' });
    }
    if (sortBy === 'manual') return 0;
    return idTime(a.id) - idTime(b.id) || a.id.localeCompare(b.id);
  };
  return [...cards].sort((a, b) => {
    const pinned = Number(Boolean(cardFields(b).pinned)) - Number(Boolean(cardFields(a).pinned));
    return pinned || direction * compare(a, b) || a.id.localeCompare(b.id);
  });
}

/** The live cards matching search and filters, sorted. */
export function queryCards(
  cards: RecordView[],
  search: string,
  filters: CardFilters,
  sortBy: SortBy,
  sortDir: SortDir,
): RecordView[] {
  const matching = cards.filter(
    (card) => !card.deleted && matchesSearch(card, search) && matchesFilters(card, filters),
  );
  return sortCards(matching, sortBy, sortDir);
}

/** Every tag in use, sorted. */
export function allTags(cards: RecordView[]): string[] {
  const tags = new Set<string>();
  for (const card of cards) if (!card.deleted) for (const tag of cardFields(card).tags ?? []) tags.add(tag);
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
