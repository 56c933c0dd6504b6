import { describe, expect, it } from 'vitest';
import { cardOf } from '../ui-logic.test-helper.ts';
import { allTags, parseTags, queryCards, sortCards } from './card-query.ts';

const rust = cardOf({ kind: 'link', title: 'Rust book', url: 'https://doc.rust-lang.org/book/', tags: ['lang'] });
const soup = cardOf({ title: 'Soup', content: 'Leek and **potato**', tags: ['food', 'winter'], pinned: true });
const trip = cardOf({
  kind: 'link',
  title: 'Alps trip',
  url: 'https://alps.example/',
  description: 'hiking huts',
  collectionIds: ['c1'],
});
const gone = cardOf({ title: 'Old soup' }, { deleted: true });
const cards = [rust, soup, trip, gone];

describe('queryCards', () => {
  describe('search', () => {
    it.each([
      ['rust-lang', [rust]],
      ['POTATO', [soup]],
      ['huts', [trip]],
      ['#winter', [soup]],
      ['soup leek', [soup]],
      ['', [soup, trip, rust]],
    ])('finds %s in title, URL, content, description or tags', (search, expected) => {
      expect(queryCards(cards, search, {}, 'created', 'desc')).toEqual(expected);
    });
  });

  describe('filters', () => {
    it('filters by kind, tag, pinned and collection', () => {
      expect(queryCards(cards, '', { kind: 'link' }, 'title', 'asc')).toEqual([trip, rust]);
      expect(queryCards(cards, '', { tags: ['food'] }, 'title', 'asc')).toEqual([soup]);
      expect(queryCards(cards, '', { pinned: true }, 'title', 'asc')).toEqual([soup]);
      expect(queryCards(cards, '', { collectionIds: new Set(['c1']) }, 'title', 'asc')).toEqual([trip]);
    });

    it('never shows deleted cards', () => {
      expect(queryCards(cards, 'old', {}, 'title', 'asc')).toEqual([]);
    });
  });
});

describe('sortCards', () => {
  it('puts pinned cards first in every order', () => {
    expect(sortCards([rust, trip, soup], 'title', 'asc')).toEqual([soup, trip, rust]);
    expect(sortCards([rust, trip, soup], 'created', 'asc')).toEqual([soup, rust, trip]);
  });

  it('orders "Newest first" by when each card was saved, an imported one by its bookmark date', () => {
    const today = cardOf({ title: 'Saved today' });
    const imported = cardOf({
      kind: 'link',
      title: 'Bookmarked in 2020',
      url: 'https://a.example/',
      savedAt: '2020-03-01T10:00:00Z',
    });
    const redated = cardOf({ title: 'Saved date edited', savedAt: '2031-01-01T00:00:00.500Z' });
    const earlier = cardOf({
      kind: 'link',
      title: 'Bookmarked in 2019',
      url: 'https://b.example/',
      savedAt: '2019-06-01T00:00:00Z',
    });
    expect(sortCards([today, imported, redated, earlier], 'created', 'desc')).toEqual([
      redated,
      today,
      imported,
      earlier,
    ]);
    expect(sortCards([today, imported, redated, earlier], 'created', 'asc')).toEqual([
      earlier,
      imported,
      today,
      redated,
    ]);
  });
});

describe('helpers', () => {
  it('lists the tags in use and parses typed tags', () => {
    expect(allTags(cards)).toEqual(['food', 'lang', 'winter']);
    expect(parseTags(' a, #b ,a,, c ')).toEqual(['a', 'b', 'c']);
  });
});
