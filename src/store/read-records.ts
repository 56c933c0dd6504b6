/**
 * Reading many stored records at once, in one round trip. Each request costs about as much as
 * the little it returns, so records the caller knows sit together (created in a row: ids are
 * UUIDv7, time-ordered) are read with one range request; the others one by one, all issued
 * together. Only when that range turns out crowded with other records are its records read again,
 * one by one. Waiting to learn the store's layout first would cost a round trip every time, and
 * a transaction's round trips are what a commit waiting behind it waits for.
 */
import type { IDBPTransaction } from 'idb';
import type { TableName } from '../../protocol/index.ts';
import { issueAll, type LocalSchema, type LocalStoreName, STORES } from './schema.ts';
import type { LocalRecord, RecordRef } from './types.ts';

/** Any transaction, read-only or not, over the records store (as `readCounts` takes its stores). */
type RecordsReader = IDBPTransaction<LocalSchema, (typeof STORES.records)[] | LocalStoreName[], IDBTransactionMode>;

/** How many stored records per wanted one the range read may return before it gives up. */
const RECORDS_PER_WANTED = 4;

/** The map key of a record reference. */
export function recordKey(table: TableName | string, id: string): string {
  return `${table}\u0000${id}`;
}

/**
 * The stored records among `together` and `apart`, by `recordKey`; absent ones are missing from
 * the map. `together`: records likely next to each other, read with one range request.
 */
export async function readStoredRecords(
  tx: RecordsReader,
  apart: RecordRef[],
  together: RecordRef[] = [],
): Promise<Map<string, LocalRecord>> {
  const [run, each] = await Promise.all([readRun(tx, together), readEach(tx, apart)]);
  const found = [...(run ?? (await readEach(tx, together))), ...each];
  const wanted = new Set([...apart, ...together].map((ref) => recordKey(ref.table, ref.id)));
  const byKey = new Map<string, LocalRecord>();
  for (const record of found) {
    const key = record && recordKey(record.table, record.id);
    if (key && wanted.has(key)) byKey.set(key, record);
  }
  return byKey;
}

/** The records in the range `refs` span; null when it holds too many others to be worth it. */
async function readRun(tx: RecordsReader, refs: RecordRef[]): Promise<LocalRecord[] | null> {
  if (refs.length === 0) return [];
  const limit = refs.length * RECORDS_PER_WANTED;
  const inRange = await tx.objectStore(STORES.records).getAll(keyRangeOf(refs), limit);
  return inRange.length < limit ? inRange : null;
}

function readEach(tx: RecordsReader, refs: RecordRef[]): Promise<(LocalRecord | undefined)[]> {
  const records = tx.objectStore(STORES.records);
  return issueAll(refs, (ref) => records.get([ref.table, ref.id]));
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
