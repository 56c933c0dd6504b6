/**
 * Change notices of a pull, held back in growing batches while an initial sync runs. Each notice
 * makes every open tab re-read its lists, and a re-read of a list that grows by a page each time
 * made a 100,000-record initial sync cost O(records²) in the page (and, competing for the same
 * IndexedDB backend and CPU, in the worker too). Batches that at least double what was announced
 * before keep the tabs' total re-reading O(records), while the first page still shows at once.
 */
import type { RecordRef } from '../store/types.ts';

export interface ChangeNotices {
  /** Records an applied page changed. Announced now, or held when batching. */
  add(changed: RecordRef[]): void;
  /** Hold further changes in growing batches (an initial sync or resync has begun). */
  batch(): void;
  /** Announces whatever is held. Call whenever the pull ends, however it ends. */
  flush(): void;
}

/** Notices for `announce`: immediate until `batch()`, then held until they match all announced before. */
export function createChangeNotices(announce: (changed: RecordRef[]) => void): ChangeNotices {
  let batching = false;
  let announced = 0;
  let held: RecordRef[] = [];
  const flush = () => {
    if (held.length === 0) return;
    const changed = held;
    held = [];
    announced += changed.length;
    announce(changed);
  };
  return {
    add(changed) {
      held.push(...changed);
      if (!batching || held.length >= announced) flush();
    },
    batch() {
      batching = true;
    },
    flush,
  };
}
