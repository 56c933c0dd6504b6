/**
 * A live list of records kept current from change notices: changed ids are re-read in one go
 * (or taken as given: this tab's own commits, records a sync stored) and patched in; whole
 * re-reads happen only when a notice names no records or more records to read than half the
 * list holds; updates run one at a time, coalescing what arrives meanwhile. Re-reading the whole
 * table on every change made each commit, and each page of an initial sync, cost O(table).
 */
import type { RecordView } from '../../api/client.ts';

export interface LiveListSource {
  loadAll(): Promise<RecordView[]>;
  /** The records with these ids, in the same order (undefined where gone). */
  loadSome(ids: string[]): Promise<(RecordView | undefined)[]>;
  /** Whether a record belongs in this list (workspace, deleted filter). */
  keeps(record: RecordView): boolean;
  publish(records: RecordView[]): void;
  /** When to start an update (default: at once); what changes meanwhile joins it. */
  schedule?(start: () => void): void;
}

export interface LiveList {
  /** Marks ids as changed (none: everything) and brings the list up to date soon. */
  invalidate(ids?: string[]): void;
  /** Records as now stored, known without reading (this tab just committed them). */
  put(records: RecordView[]): void;
  /**
   * Records a sync raised to a newer server version, as stored then. A later write of a record
   * keeps at least that version, and its notice reaches the list too: so each is taken where the
   * list knows the record at an older version (shown, or left out) or not at all, and ignored
   * where it knows a state at least as new. One being read, or left out at a version unknown
   * (gone, or missing from a whole read), is read instead.
   */
  offer(records: RecordView[]): void;
  /** Resolves when no update is running or waiting (for tests). */
  settled(): Promise<void>;
}

export function createLiveList(source: LiveListSource): LiveList {
  let current: RecordView[] | null = null;
  /**
   * Where each record of `current` is, built when first needed after records came or went. In a
   * burst of edits the list keeps its places, so a patch and a notice cost O(their records): a
   * pass over 10,000 records per update held up the commits of the burst.
   */
  let places: Map<string, number> | null = null;
  /**
   * Ids the list left out (no longer kept, or gone), with the version of the state that left
   * them out (null: unknown). An offer of an older state must not bring such a record back.
   */
  const leftOut = new Map<string, number | null>();
  let everything = true;
  /** Changed ids: the record when known, null when it must be read. */
  const changed = new Map<string, RecordView | null>();
  /**
   * The ids a running read returns (`all` for a whole read): a record given meanwhile may be
   * older than what that read returns, so it is read again instead.
   */
  let reading: ReadonlySet<string> | 'all' | null = null;
  let running: Promise<void> | null = null;

  async function update(): Promise<void> {
    while (everything || changed.size > 0) {
      if (everything || current === null || toRead() > current.length / 2) {
        everything = false;
        const folded = [...changed.keys()];
        changed.clear();
        current = await whileReading('all', source.loadAll());
        places = null;
        // What the read left out of the ids it folded in, it left out at a version unknown.
        for (const id of folded) leftOut.set(id, null);
        for (const record of current) leftOut.delete(record.id);
      } else {
        const ids = [...changed.keys()];
        const known = [...changed.values()];
        changed.clear();
        const fresh = await readUnknown(ids, known);
        noteLeftOut(ids, fresh);
        const replaced = replacedInPlace(current, ids, fresh);
        if (replaced) current = replaced;
        else {
          current = patch(current, ids, fresh, source.keeps);
          places = null;
        }
      }
      source.publish(current);
    }
  }

  /**
   * How many changed records must be read. Those known (given, offered) are patched in however
   * many: an initial sync offers 5,000 records a page to a list that holds fewer, and a whole
   * read for each of its first pages kept the store from the sync's writes (0.9 s in a sync of
   * 100,000 records).
   */
  function toRead(): number {
    let count = 0;
    for (const record of changed.values()) if (record === null) count++;
    return count;
  }

  function noteLeftOut(ids: string[], fresh: (RecordView | undefined)[]): void {
    ids.forEach((id, index) => {
      const record = fresh[index];
      if (record && source.keeps(record)) leftOut.delete(id);
      else leftOut.set(id, record ? record.version : null);
    });
  }

  /**
   * An offered record is taken when the list knows the record at an older version or not at all,
   * ignored when it knows a state at least as new, and read when it cannot tell.
   */
  function judgeOffer(record: RecordView): 'take' | 'read' | 'ignore' {
    const due = changed.get(record.id);
    if (due === null || isBeingRead(record.id)) return 'read';
    const place = due === undefined ? placeOf(record.id) : undefined;
    const latest = place === undefined ? due : current?.[place];
    const known = latest ? latest.version : leftOut.get(record.id);
    if (known === null) return 'read';
    return known === undefined || known < record.version ? 'take' : 'ignore';
  }

  function placeOf(id: string): number | undefined {
    places ??= new Map((current ?? []).map((record, index) => [record.id, index]));
    return places.get(id);
  }

  /** `list` with the re-read records in their places; undefined when one came, went or no longer belongs. */
  function replacedInPlace(list: RecordView[], ids: string[], fresh: (RecordView | undefined)[]) {
    const next = list.slice();
    for (let i = 0; i < ids.length; i++) {
      const record = fresh[i];
      const at = placeOf(ids[i]);
      if (at === undefined || !record || !source.keeps(record)) return undefined;
      next[at] = record;
    }
    return next;
  }

  async function readUnknown(ids: string[], known: (RecordView | null)[]): Promise<(RecordView | undefined)[]> {
    const unknown = ids.filter((_, index) => known[index] === null);
    const read = unknown.length > 0 ? await whileReading(new Set(unknown), source.loadSome(unknown)) : [];
    const readById = new Map(unknown.map((id, index) => [id, read[index]]));
    return ids.map((id, index) => known[index] ?? readById.get(id));
  }

  async function whileReading<T>(ids: ReadonlySet<string> | 'all', read: Promise<T>): Promise<T> {
    reading = ids;
    try {
      return await read;
    } finally {
      reading = null;
    }
  }

  function isBeingRead(id: string): boolean {
    return reading === 'all' || reading?.has(id) === true;
  }

  function run(): void {
    if (running) return;
    const start = () =>
      update()
        .catch(() => {
          everything = true;
        })
        .finally(() => {
          running = null;
        });
    // The first load is not deferred: nothing is shown until it is done.
    const schedule = current === null ? undefined : source.schedule;
    running = schedule ? new Promise<void>((resolve) => schedule(resolve)).then(start) : start();
  }

  return {
    invalidate(ids) {
      if (ids === undefined) everything = true;
      else for (const id of ids) changed.set(id, null);
      run();
    },
    put(records) {
      // A read due or running may return something newer: then the record is read (again).
      for (const record of records) {
        const known = !isBeingRead(record.id) && changed.get(record.id) !== null;
        changed.set(record.id, known ? record : null);
      }
      run();
    },
    offer(records) {
      if (current === null) return run(); // the first whole read is still to come
      for (const record of records) {
        const judged = judgeOffer(record);
        if (judged !== 'ignore') changed.set(record.id, judged === 'take' ? record : null);
      }
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
