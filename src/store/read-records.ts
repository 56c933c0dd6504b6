/**
 * Reading many stored records at once, in as few IndexedDB requests as it takes. Each request
 * costs about as much as the little it returns, and ids are UUIDv7 (time-ordered), so the
 * records of a push batch or a pull page mostly sit together: the whole key range between the
 * lowest and highest wanted key is read in one request. When that range is crowded with other
 * records (changes scattered over a full store), each record is read on its own instead.
 */
import type { TableName } from '../../protocol/index.ts';
import { issueAll, STORES, type WriteTransaction } from './schema.ts';
import type { LocalRecord, RecordRef } from './types.ts';

/** How many stored records per wanted one the range read may return before it gives up. */
const RECORDS_PER_WANTED = 4;

/** The map key of a record reference. */
export function recordKey(table: TableName | string, id: string): string {
  return `${table}\u0000${id}`;
}

/** The stored records among `refs`, by `recordKey`; absent ones are missing from the map. */
export async function readStoredRecords(tx: WriteTransaction, refs: RecordRef[]): Promise<Map<string, LocalRecord>> {
  const byKey = new Map<string, LocalRecord>();
  if (refs.length === 0) return byKey;
  const records = tx.objectStore(STORES.records);
  const limit = refs.length * RECORDS_PER_WANTED;
  const inRange = await records.getAll(keyRangeOf(refs), limit);
  const found = inRange.length < limit ? inRange : await issueAll(refs, (ref) => records.get([ref.table, ref.id]));
  const wanted = new Set(refs.map((ref) => recordKey(ref.table, ref.id)));
  for (const record of found) {
    const key = record && recordKey(record.table, record.id);
    if (key && wanted.has(key)) byKey.set(key, record);
  }
  return byKey;
}

/** The smallest key range holding every ref's [table, id] key (`refs` not empty). */
export function keyRangeOf(refs: RecordRef[]): IDBKeyRange {
  const keys = refs.map((ref): [string, string] => [ref.table, ref.id]);
  let [lowest, highest] = [keys[0], keys[0]];
  for (const key of keys) {
    if (compareKeys(key, lowest) < 0) lowest = key;
    if (compareKeys(key, highest) > 0) highest = key;
  }
  return IDBKeyRange.bound(lowest, highest);
}

/** IndexedDB's order of two [table, id] keys (strings compare by UTF-16 code unit, as in JS). */
function compareKeys(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}
