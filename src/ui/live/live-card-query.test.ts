import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordView } from '../../api/client.ts';
import { cardOf } from '../ui-logic.test-helper.ts';
import { allTags, type CardFilters, queryCards, type SortBy, type SortDir } from './card-query.ts';
import { type CardQuery, LiveCardQuery } from './live-card-query.ts';

const TAGS = ['a', 'b', 'c'];

/** One step of a live list: a card edited, added or removed, or the view's query changed. */
type Step =
  | { kind: 'edit'; index: number; title: string; pinned: boolean; tags: string[]; deleted: boolean }
  | { kind: 'add'; title: string; pinned: boolean; tags: string[] }
  | { kind: 'remove'; index: number }
  | { kind: 'bulk'; titles: string[]; pinned: boolean }
  | { kind: 'query'; query: CardQuery };

const title = fc.constantFrom('apple', 'Banana', 'cherry', 'apple pie', 'date');
const tags = fc.subarray(TAGS);
const query: fc.Arbitrary<CardQuery> = fc.record({
  // Searches typed letter by letter and back (a search narrows the one before), and others.
  search: fc.constantFrom('', 'a', 'ap', 'app', 'apple', 'apple p', 'apple pie', 'an', 'e', 'pie', 'na'),
  filters: fc.record(
    { pinned: fc.constant(true), tags: fc.constantFrom(['a'], ['b']), kind: fc.constant('note' as const) },
    { requiredKeys: [] },
  ) as fc.Arbitrary<CardFilters>,
  sortBy: fc.constantFrom<SortBy>('created', 'title', 'manual', 'updated'),
  sortDir: fc.constantFrom<SortDir>('asc', 'desc'),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('edit' as const),
    index: fc.nat(),
    title,
    pinned: fc.boolean(),
    tags,
    deleted: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('add' as const), title, pinned: fc.boolean(), tags }),
  fc.record({ kind: fc.constant('remove' as const), index: fc.nat() }),
  // Many new cards at once: the comparing merge pass (a few take binary search).
  fc.record({
    kind: fc.constant('bulk' as const),
    titles: fc.array(title, { minLength: 9, maxLength: 20 }),
    pinned: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('query' as const), query }),
);

function note(fields: { title: string; pinned: boolean; tags: string[] }): RecordView {
  return cardOf({ kind: 'note', content: '', collectionIds: [], ...fields });
}

/** The list after one step, as the live list would publish it (unchanged cards keep their objects). */
function apply(cards: RecordView[], current: CardQuery, next: Step): [RecordView[], CardQuery] {
  if (next.kind === 'query') return [cards, next.query];
  if (next.kind === 'add') return [[note(next), ...cards], current];
  if (next.kind === 'bulk') {
    const added = next.titles.map((title, i) => note({ title, pinned: next.pinned && i % 2 === 0, tags: [] }));
    return [[...added, ...cards], current];
  }
  if (cards.length === 0) return [cards, current];
  const index = next.index % cards.length;
  if (next.kind === 'remove') return [cards.filter((_, i) => i !== index), current];
  const edited: RecordView = {
    ...cards[index],
    deleted: next.deleted,
    fields: { ...cards[index].fields, title: next.title, pinned: next.pinned, tags: next.tags },
  };
  return [cards.map((card, i) => (i === index ? edited : card)), current];
}

describe('LiveCardQuery', () => {
  it('always shows what computing afresh shows, and the same tags', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), query, (steps, first) => {
        const live = new LiveCardQuery();
        let cards = Array.from({ length: 100 }, (_, i) => note({ title: `card ${i}`, pinned: i % 5 === 0, tags: [] }));
        let current = first;
        for (const next of steps) {
          [cards, current] = apply(cards, current, next);
          const shown = live.run(cards, current);
          expect(shown).toEqual(queryCards(cards, current.search, current.filters, current.sortBy, current.sortDir));
          expect(live.tags()).toEqual(allTags(cards));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('patches: the result of one edit keeps the other cards as they were', () => {
    const live = new LiveCardQuery();
    const cards = Array.from({ length: 100 }, (_, i) => note({ title: `card ${i}`, pinned: false, tags: [] }));
    const order: CardQuery = { search: '', filters: {}, sortBy: 'created', sortDir: 'desc' };
    const before = live.run(cards, order);
    const edited = { ...cards[40], fields: { ...cards[40].fields, pinned: true } };
    const after = live.run(
      cards.map((card, i) => (i === 40 ? edited : card)),
      order,
    );
    expect(after[0]).toBe(edited);
    expect(after.slice(1)).toEqual(before.filter((card) => card.id !== edited.id));
    expect(live.run(cards, order)).not.toBe(after);
  });
});
