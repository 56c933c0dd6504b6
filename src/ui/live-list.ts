/**
 * A live list of records kept current from change notices: changed ids are re-read in one go
 * and patched in; whole re-reads happen only when a notice names no records or more than half
 * the list; updates run one at a time, coalescing what arrives meanwhile. Re-reading the whole
 * table on every change made each commit, and each page of an initial sync, cost O(table).
 */
import type { RecordView } from '../store/types.ts';

export interface LiveListSource {
  loadAll(): Promise<RecordView[]>;
  /** The records with these ids, in the same order (undefined where gone). */
  loadSome(ids: string[]): Promise<(RecordView | undefined)[]>;
  /** Whether a record belongs in this list (workspace, deleted filter). */
  keeps(record: RecordView): boolean;
  publish(records: RecordView[]): void;
}

export interface LiveList {
  /** Marks ids as changed (none: everything) and brings the list up to date soon. */
  invalidate(ids?: string[]): void;
  /** Resolves when no update is running or waiting (for tests). */
  settled(): Promise<void>;
}

export function createLiveList(source: LiveListSource): LiveList {
  let current: RecordView[] | null = null;
  let everything = true;
  const changed = new Set<string>();
  let running: Promise<void> | null = null;

  async function update(): Promise<void> {
    while (everything || changed.size > 0) {
      if (everything || current === null || changed.size > current.length / 2) {
        everything = false;
        changed.clear();
        current = await source.loadAll();
      } else {
        const ids = [...changed];
        changed.clear();
        current = patch(current, ids, await source.loadSome(ids), source.keeps);
      }
      source.publish(current);
    }
  }

  function run(): void {
    running ??= update()
      .catch(() => {
        everything = true;
      })
      .finally(() => {
        running = null;
      });
  }

  return {
    invalidate(ids) {
      if (ids === undefined) everything = true;
      else for (const id of ids) changed.add(id);
      run();
    },
    async settled() {
      while (running) await running;
    },
  };
}

/** Replaces, adds (newest first) or drops the re-read records; the rest keep their places. */
function patch(
  current: RecordView[],
  ids: string[],
  fresh: (RecordView | undefined)[],
  keeps: (record: RecordView) => boolean,
): RecordView[] {
  const byId = new Map<string, RecordView | null>();
  ids.forEach((id, i) => {
    const record = fresh[i];
    byId.set(id, record && keeps(record) ? record : null);
  });
  const next: RecordView[] = [];
  for (const record of current) {
    if (!byId.has(record.id)) next.push(record);
    else {
      const replacement = byId.get(record.id);
      if (replacement) next.push(replacement);
      byId.delete(record.id);
    }
  }
  const added = [...byId.values()].filter((record): record is RecordView => record !== null);
  return [...added, ...next];
}
