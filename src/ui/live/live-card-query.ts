/**
 * A card view's result (search, filters, order) and its tag list, kept current by patching in
 * only the cards that changed. Re-filtering and re-sorting 10,000 cards on every edit cost about
 * 30 ms of the page's main thread per commit; a patch costs a pass of identity checks.
 */
import type { RecordView } from '../../api/client.ts';
import {
  type CardFilters,
  cardFields,
  cardMatches,
  cardOrder,
  queryCards,
  type SortBy,
  type SortDir,
  sortTags,
} from './card-query.ts';
import { type CompiledSearch, compileSearch } from './card-search.ts';

/** Above this share of changed cards, computing the result afresh is as cheap as patching. */
const MAX_PATCH_SHARE = 0.25;

/** How many recent searches' results are kept for the search typed next (a backspace, a longer word). */
const RECENT_SEARCHES = 16;

export interface CardQuery {
  search: string;
  filters: CardFilters;
  sortBy: SortBy;
  sortDir: SortDir;
}

/** What changed between two arrays of the same live list: records are immutable, so identity tells. */
interface ListDiff {
  changed: RecordView[];
  removed: RecordView[];
}

export class LiveCardQuery {
  #input: RecordView[] | null = null;
  #byId = new Map<string, RecordView>();
  #queryKey = '';
  #shown: RecordView[] = [];
  /** Every live card in the last query's order, and that order's key: a new search only filters it. */
  #ordered: RecordView[] | null = null;
  #orderKey = '';
  #tagCounts = new Map<string, number>();
  #tags: string[] = [];
  /**
   * The results of recent searches over the same cards, filters and order (`#recentKey`), by
   * search. A search whose every word contains a word of one of them (a letter typed) only
   * filters that one's result: a card without "zur" has no "zuri". A backspace finds its answer.
   */
  #recent = new Map<string, { compiled: CompiledSearch; shown: RecordView[] }>();
  #recentKey = '';

  /** The cards `query` shows, in order. Cheap when `cards` is the last array or differs by a few cards. */
  run(cards: RecordView[], query: CardQuery): RecordView[] {
    const queryKey = keyOf(query);
    if (cards === this.#input && queryKey === this.#queryKey) return this.#shown;
    const recentKey = keyOf({ ...query, search: '' });
    if (cards !== this.#input || recentKey !== this.#recentKey) this.#recent.clear();
    const narrowed = this.#recent.size > 0 ? this.#narrowed(query) : null;
    if (narrowed) this.#shown = narrowed;
    else {
      const diff = this.#input ? diffLists(this.#input, this.#byId, cards) : null;
      if (diff && queryKey === this.#queryKey) this.#patch(diff, query);
      else this.#recompute(cards, diff, query);
    }
    this.#remember(query.search);
    this.#input = cards;
    this.#queryKey = queryKey;
    this.#recentKey = recentKey;
    return this.#shown;
  }

  /**
   * The result of `query` from a recent search's over the same cards, filters and order: the
   * same search's result, or the smallest result of a search it narrows, filtered; null when
   * there is none to start from.
   */
  #narrowed(query: CardQuery): RecordView[] | null {
    const same = this.#recent.get(query.search);
    if (same) return same.shown;
    const compiled = compileSearch(query.search);
    let from: RecordView[] | null = null;
    for (const recent of this.#recent.values()) {
      if ((from === null || recent.shown.length < from.length) && narrows(compiled, recent.compiled))
        from = recent.shown;
    }
    if (from === null) return null;
    return from.filter((card) => cardMatches(card, query.search, query.filters));
  }

  #remember(search: string): void {
    this.#recent.delete(search);
    this.#recent.set(search, { compiled: compileSearch(search), shown: this.#shown });
    if (this.#recent.size > RECENT_SEARCHES) this.#recent.delete(this.#recent.keys().next().value as string);
  }

  /** Every tag on a live card, sorted (as of the last `run`). */
  tags(): string[] {
    return this.#tags;
  }

  /**
   * A new search or filter (or most cards changed): the result afresh. The live cards stay
   * sorted between searches, so a search filters them in order and sorts nothing: sorting
   * 10,000 matches cost more than finding them.
   */
  #recompute(cards: RecordView[], diff: ListDiff | null, query: CardQuery): void {
    if (diff) this.#updateIndex(diff);
    else this.#reindex(cards);
    const orderKey = `${query.sortBy}-${query.sortDir}`;
    const order = cardOrder(query.sortBy, query.sortDir);
    if (this.#ordered && orderKey === this.#orderKey && (diff || cards === this.#input)) {
      if (diff) this.#ordered = patchSorted(this.#ordered, diff, order, (card) => !card.deleted);
    } else {
      this.#ordered = queryCards(cards, '', {}, query.sortBy, query.sortDir);
      this.#orderKey = orderKey;
    }
    this.#shown = this.#ordered.filter((card) => cardMatches(card, query.search, query.filters));
  }

  #patch(diff: ListDiff, query: CardQuery): void {
    this.#updateIndex(diff);
    const order = cardOrder(query.sortBy, query.sortDir);
    this.#shown = patchSorted(this.#shown, diff, order, (card) => cardMatches(card, query.search, query.filters));
    // The full order is patched when the next search needs it (its diff is this one's and later).
    this.#ordered = null;
  }

  #reindex(cards: RecordView[]): void {
    this.#byId = new Map(cards.map((card) => [card.id, card]));
    this.#tagCounts = new Map();
    for (const card of cards) countTags(this.#tagCounts, card, 1);
    this.#tags = sortTags(this.#tagCounts.keys());
  }

  #updateIndex({ changed, removed }: ListDiff): void {
    let tagsChanged = false;
    for (const card of removed) {
      this.#byId.delete(card.id);
      tagsChanged = countTags(this.#tagCounts, card, -1) || tagsChanged;
    }
    for (const card of changed) {
      const before = this.#byId.get(card.id);
      if (before) tagsChanged = countTags(this.#tagCounts, before, -1) || tagsChanged;
      tagsChanged = countTags(this.#tagCounts, card, 1) || tagsChanged;
      this.#byId.set(card.id, card);
    }
    if (tagsChanged) this.#tags = sortTags(this.#tagCounts.keys());
  }
}

/** Whether every card `search` matches is one `broader` matches: each of broader's words is inside one of its words. */
function narrows(search: CompiledSearch, broader: CompiledSearch): boolean {
  return broader.words.every((word) => search.words.some((longer) => longer.includes(word)));
}

/** Adds (`by` 1) or removes (-1) a live card's tags; true when a tag appeared or disappeared. */
function countTags(counts: Map<string, number>, card: RecordView, by: 1 | -1): boolean {
  if (card.deleted) return false;
  let appearedOrGone = false;
  for (const tag of new Set(cardFields(card).tags ?? [])) {
    const count = (counts.get(tag) ?? 0) + by;
    if (count <= 0) counts.delete(tag);
    else counts.set(tag, count);
    appearedOrGone ||= by > 0 ? count === 1 : count <= 0;
  }
  return appearedOrGone;
}

/** The cards of `cards` that are new or replaced since `previous`, and those gone; null when most changed. */
function diffLists(previous: RecordView[], before: Map<string, RecordView>, cards: RecordView[]): ListDiff | null {
  const limit = Math.max(1, cards.length * MAX_PATCH_SHARE);
  const inPlace = previous.length === cards.length ? diffInPlace(previous, cards, limit) : undefined;
  return inPlace === undefined ? diffById(before, cards, limit) : inPlace;
}

/**
 * The cards replaced slot by slot, found without a lookup per card: the live list replaces an
 * edited record in its place. undefined when a slot holds another card (cards came or went).
 */
function diffInPlace(previous: RecordView[], cards: RecordView[], limit: number): ListDiff | null | undefined {
  const changed: RecordView[] = [];
  for (let i = 0; i < cards.length; i++) {
    if (cards[i] === previous[i]) continue;
    if (cards[i].id !== previous[i].id) return undefined;
    changed.push(cards[i]);
    if (changed.length > limit) return null;
  }
  return { changed, removed: [] };
}

function diffById(before: Map<string, RecordView>, cards: RecordView[], limit: number): ListDiff | null {
  const changed: RecordView[] = [];
  let known = 0;
  for (const card of cards) {
    const previous = before.get(card.id);
    if (previous) known++;
    if (previous === card) continue;
    changed.push(card);
    if (changed.length > limit) return null;
  }
  if (known === before.size) return { changed, removed: [] };
  const present = new Set(cards.map((card) => card.id));
  const removed = [...before.values()].filter((card) => !present.has(card.id));
  return removed.length > limit ? null : { changed, removed };
}

/** `sorted` without the cards of `diff`, with its changed cards that `keep` takes, in order. */
function patchSorted(
  sorted: RecordView[],
  diff: ListDiff,
  order: (a: RecordView, b: RecordView) => number,
  keep: (card: RecordView) => boolean,
): RecordView[] {
  const inPlace = replacedWhereTheyStand(sorted, diff, order, keep);
  if (inPlace) return inPlace;
  const gone = new Set([...diff.changed, ...diff.removed].map((card) => card.id));
  const kept = sorted.filter((card) => !gone.has(card.id));
  const arrived = diff.changed.filter(keep).sort(order);
  return mergeSorted(kept, arrived, order);
}

/** Beyond this many changed cards, finding each one's slot costs more than the merge. */
const MAX_REPLACED_WHERE_THEY_STAND = 8;

/**
 * `sorted` with each changed card in its older copy's slot, when that is still its place in the
 * order (an edit that moves nothing: a person typing into a card at the top); undefined when one
 * moves, comes or goes. One copy of the list instead of three: typing into a note beside 10,000
 * cards made half a megabyte of garbage per write, and the page's major collections landed
 * inside the writes (typing bench).
 */
function replacedWhereTheyStand(
  sorted: RecordView[],
  diff: ListDiff,
  order: (a: RecordView, b: RecordView) => number,
  keep: (card: RecordView) => boolean,
): RecordView[] | undefined {
  if (diff.removed.length > 0 || diff.changed.length > MAX_REPLACED_WHERE_THEY_STAND) return undefined;
  let next: RecordView[] | undefined;
  for (const card of diff.changed) {
    const list = next ?? sorted;
    const at = keep(card) ? list.findIndex((other) => other.id === card.id) : -1;
    if (at < 0) return undefined;
    const before = list[at - 1];
    const after = list[at + 1];
    if ((before && order(before, card) > 0) || (after && order(card, after) > 0)) return undefined;
    next ??= sorted.slice();
    next[at] = card;
  }
  return next;
}

/**
 * `kept` and `arrived`, both sorted by `order`, as one sorted list. Each arrival's place is found
 * by binary search and the runs of `kept` between them are copied without comparing: a pass
 * comparing all 10,000 cards, for the 30 edits of 100 ms of a burst, was the page's costliest
 * function. Only when most of the list would be searched anyway is the comparing pass cheaper.
 */
function mergeSorted(kept: RecordView[], arrived: RecordView[], order: (a: RecordView, b: RecordView) => number) {
  if (arrived.length * Math.log2(kept.length + 1) > kept.length) return mergePass(kept, arrived, order);
  const merged: RecordView[] = [];
  let from = 0;
  for (const card of arrived) {
    const at = insertionPoint(kept, card, order, from);
    for (let i = from; i < at; i++) merged.push(kept[i]);
    merged.push(card);
    from = at;
  }
  for (let i = from; i < kept.length; i++) merged.push(kept[i]);
  return merged;
}

function mergePass(kept: RecordView[], arrived: RecordView[], order: (a: RecordView, b: RecordView) => number) {
  const merged: RecordView[] = [];
  let i = 0;
  let j = 0;
  while (i < kept.length && j < arrived.length) merged.push(order(kept[i], arrived[j]) <= 0 ? kept[i++] : arrived[j++]);
  return merged.concat(kept.slice(i), arrived.slice(j));
}

/** Where `card` goes in the sorted `cards`, at or after `low` (binary search). */
function insertionPoint(
  cards: RecordView[],
  card: RecordView,
  order: (a: RecordView, b: RecordView) => number,
  low: number,
) {
  let high = cards.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (order(cards[middle], card) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Two queries with equal keys show the same cards in the same order. */
function keyOf({ search, filters, sortBy, sortDir }: CardQuery): string {
  const collections = filters.collectionIds ? [...filters.collectionIds].sort() : null;
  return JSON.stringify([search, filters.kind, filters.tags, filters.pinned, collections, sortBy, sortDir]);
}
