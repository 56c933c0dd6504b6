/**
 * A live list of records kept current from change notices: changed ids are re-read one by one
 * and patched in, whole re-reads happen only when a notice names no records or very many, and
 * updates run one at a time, coalescing what arrives meanwhile. Re-reading a whole table on
 * every keystroke made each commit cost O(table) on the page's main thread.
 */
import type { RecordView } from '../store/types.ts';

/** Above this many changed ids in one go, one whole read is cheaper than many single reads. */
const MAX_PATCH = 50;

export interface LiveListSource {
  loadAll(): Promise<RecordView[]>;
  loadOne(id: string): Promise<RecordView | undefined>;
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
      if (everything || current === null || changed.size > MAX_PATCH) {
        everything = false;
        changed.clear();
        current = await source.loadAll();
      } else {
        const ids = [...changed];
        changed.clear();
        const fresh = await Promise.all(ids.map((id) => source.loadOne(id)));
        current = patch(current, ids, fresh, source.keeps);
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
