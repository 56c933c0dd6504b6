import { describe, expect, it } from 'vitest';
import { diffLines, isMultiline, MAX_COMPARED_LINE_PAIRS, mergeBoth } from './line-diff.ts';

const marked = (mine: string, theirs: string) =>
  diffLines(mine, theirs).map((line) => `${{ both: ' ', mine: '+', theirs: '-' }[line.side]}${line.text}`);

describe('diffLines', () => {
  it('marks the lines only one version has, keeping the shared ones once and in order', () => {
    expect(marked('Leeks\nPotatoes\nPepper\nSalt', 'Leeks\nSweet potatoes\nSalt\nThyme')).toEqual([
      ' Leeks',
      '+Potatoes',
      '+Pepper',
      '-Sweet potatoes',
      ' Salt',
      '-Thyme',
    ]);
  });

  it('finds shared lines in the middle of a changed block', () => {
    expect(marked('a\nX\nc\nY\ne', 'a\nc\nZ\ne')).toEqual([' a', '+X', ' c', '+Y', '-Z', ' e']);
  });

  it('keeps empty lines and a text that is the same on both sides', () => {
    expect(marked('one\n\ntwo', 'one\n\ntwo')).toEqual([' one', ' ', ' two']);
    expect(marked('', 'new\nlines')).toEqual(['-new', '-lines']);
  });

  it('does not compare line by line past its bound: the whole middle differs, mine first', () => {
    const lines = Math.ceil(Math.sqrt(MAX_COMPARED_LINE_PAIRS)) + 1;
    const mine = ['start', ...Array.from({ length: lines }, (_, index) => `m${index}`), 'end'].join('\n');
    const theirs = ['start', ...Array.from({ length: lines }, (_, index) => `t${index}`), 'end'].join('\n');
    const diff = diffLines(mine, theirs);
    expect(diff.length).toBe(2 * lines + 2);
    expect(diff[1]).toEqual({ side: 'mine', text: 'm0' });
    expect(diff[lines + 1]).toEqual({ side: 'theirs', text: 't0' });
  });
});

describe('mergeBoth', () => {
  it('starts the merge from every line of both versions', () => {
    const merged = mergeBoth(diffLines('Leeks\nPotatoes\nSalt', 'Leeks\nSweet potatoes\nSalt'));
    expect(merged).toBe('Leeks\nPotatoes\nSweet potatoes\nSalt');
  });
});

describe('isMultiline', () => {
  it('takes text areas and any value with a line break as lines', () => {
    expect(isMultiline('content', ['a', 'b'])).toBe(true);
    expect(isMultiline('title', ['a', 'b\nc'])).toBe(true);
    expect(isMultiline('title', ['a', 'b'])).toBe(false);
  });
});
