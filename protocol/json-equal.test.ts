import { describe, expect, it } from 'vitest';
import { jsonEqual } from './json-equal.ts';

describe('jsonEqual', () => {
  describe('absent and null', () => {
    it('tells a field set to null from a field never written', () => {
      expect(jsonEqual({ a: null }, {})).toBe(false);
      expect(jsonEqual({}, { a: null })).toBe(false);
      expect(jsonEqual(null, undefined)).toBe(false);
    });

    it('takes a key whose value is undefined as absent, as JSON does', () => {
      expect(jsonEqual({ a: undefined }, {})).toBe(true);
      expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
      expect(jsonEqual({ a: undefined }, { a: null })).toBe(false);
    });
  });

  describe('objects and arrays', () => {
    it('ignores key order and compares nested values', () => {
      expect(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
      expect(jsonEqual({ a: { c: [1, 2] } }, { a: { c: [2, 1] } })).toBe(false);
    });

    it('tells an array from an object with the same entries', () => {
      expect(jsonEqual([1], { 0: 1 })).toBe(false);
      expect(jsonEqual([], {})).toBe(false);
    });

    it('compares what JSON.stringify would write, for any pair it tries', () => {
      const values = [null, 0, 1, '', 'a', true, false, [], [null], {}, { a: null }, { a: 1 }, { a: [1, { b: 2 }] }];
      for (const a of values) {
        for (const b of values) expect(jsonEqual(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      }
    });
  });
});
