import { describe, expect, it } from 'vitest';
import type { RecordRef } from '../store/types.ts';
import { createChangeNotices } from './change-notices.ts';

function refs(from: number, count: number): RecordRef[] {
  return Array.from({ length: count }, (_, index) => ({ table: 'cards', id: `card-${from + index}` }));
}

function recorder() {
  const told: RecordRef[][] = [];
  return { told, notices: createChangeNotices((changed) => told.push(changed)) };
}

describe('createChangeNotices', () => {
  describe('not batching', () => {
    it('announces every page at once', () => {
      const { told, notices } = recorder();
      notices.add(refs(0, 2));
      notices.add(refs(2, 2));
      expect(told).toEqual([refs(0, 2), refs(2, 2)]);
    });

    it('announces nothing for a page that changed nothing', () => {
      const { told, notices } = recorder();
      notices.add([]);
      notices.flush();
      expect(told).toEqual([]);
    });
  });

  describe('batching', () => {
    it('announces the first page at once, then batches that each match all announced before', () => {
      const { told, notices } = recorder();
      notices.batch();
      for (let page = 0; page < 7; page++) notices.add(refs(page * 10, 10));
      expect(told.map((batch) => batch.length)).toEqual([10, 10, 20]);
      notices.flush();
      expect(told.map((batch) => batch.length)).toEqual([10, 10, 20, 30]);
      expect(told.flat()).toEqual(refs(0, 70));
    });

    it('holds nothing back after a flush', () => {
      const { told, notices } = recorder();
      notices.batch();
      notices.add(refs(0, 10));
      notices.add(refs(10, 3));
      notices.flush();
      notices.flush();
      expect(told).toEqual([refs(0, 10), refs(10, 3)]);
    });
  });
});
