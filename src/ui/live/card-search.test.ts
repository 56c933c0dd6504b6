import { describe, expect, it } from 'vitest';
import { cardOf } from '../ui-logic.test-helper.ts';
import { queryCards } from './card-query.ts';
import { compileSearch, foldForSearch, matchesCompiled, prepareSearch } from './card-search.ts';

describe('foldForSearch', () => {
  it.each([
    ['Zürich', 'zurich'],
    ['CAFÉ', 'cafe'],
    ['Crème Brûlée', 'creme brulee'],
    ['Ærøskøbing', 'aeroskobing'],
    ['Straße', 'strasse'],
    ['ﬁne', 'fine'],
    ['Cafe\u0301', 'cafe'],
    ['“quoted” — text', ' quoted    text'],
    ['https://Doc.Rust-Lang.org/Book/', 'https://doc.rust-lang.org/book/'],
    ['Москва', 'москва'],
  ])('folds %s to %s', (text, folded) => {
    expect(foldForSearch(text)).toBe(folded);
  });
});

describe('card search', () => {
  const zurich = cardOf({ kind: 'link', title: 'Zürich by tram', url: 'https://example.com/z' });
  const cafe = cardOf({ title: 'Notes', content: 'The café on the corner' });
  const article = cardOf({
    kind: 'link',
    title: 'Burrows',
    url: 'https://animals.example/burrows',
    siteName: 'Animal Homes',
    articleText: 'A rabbit warren can hold dozens of animals.\n\nBadgers keep their setts for generations.',
  });
  const cards = [zurich, cafe, article];

  it.each([
    ['zurich', [zurich]],
    ['ZÜRICH', [zurich]],
    ['cafe', [cafe]],
    ['Café', [cafe]],
    ['setts', [article]],
    ['warren badgers', [article]],
    ['animal homes', [article]],
    ['animals.example/burr', [article]],
    ['warren zurich', []],
    ['qqq', []],
  ])('finds %s ignoring case and accents, in every field', (search, expected) => {
    expect(queryCards(cards, search, {}, 'title', 'asc')).toEqual(expected);
  });

  it('finds a word inside another, as before (a substring, not only a word start)', () => {
    expect(queryCards(cards, 'abbit', {}, 'title', 'asc')).toEqual([article]);
  });

  it('never misses a card its filter might rule out: every substring of a long text is found', () => {
    const text = 'Shelter, galleries and bolt holes: 12 chambers in Ærø’s dunes, dug over 40 years.';
    const card = cardOf({ kind: 'link', title: '', url: 'https://example.com/', articleText: text.repeat(50) });
    const folded = foldForSearch(text);
    for (let start = 0; start < folded.length; start++) {
      for (let end = start + 1; end <= Math.min(folded.length, start + 8); end++) {
        const word = folded.slice(start, end).trim();
        if (word === '' || /\s/.test(word)) continue;
        expect(matchesCompiled(card, compileSearch(word)), word).toBe(true);
      }
    }
  });

  it('prepares entries while there is time, and says when all are ready', () => {
    const many = Array.from({ length: 5 }, (_, index) => cardOf({ title: `card ${index}` }));
    let budget = 2;
    expect(prepareSearch(many, () => budget-- > 0)).toBe(false);
    expect(prepareSearch(many, () => true)).toBe(true);
  });
});
