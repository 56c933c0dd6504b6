import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { readStoredRecords, recordKey } from './read-records.ts';
import { inWriteTransaction, type LocalDatabase, openLocalDatabase } from './schema.ts';
import { envelope, uniqueDatabaseName } from './store-fixtures.test-helper.ts';
import type { RecordRef } from './types.ts';

const workspaceId = newId();
const opened: LocalDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  vi.restoreAllMocks();
});

/** A database holding ten cards, ids in creation order; returns their refs. */
async function tenCards(): Promise<{ db: LocalDatabase; refs: RecordRef[] }> {
  const db = await openLocalDatabase(uniqueDatabaseName());
  opened.push(db);
  const refs: RecordRef[] = [];
  for (let i = 0; i < 10; i++) {
    const server = envelope({ id: newId(Date.UTC(2026, 0, 1) + i * 1000), workspaceId });
    const { table, id } = server;
    await db.put('records', {
      table,
      id,
      workspaceId,
      server,
      fields: server.fields,
      deleted: false,
      pending: 0,
      conflicts: 0,
      localUpdatedAt: '',
      localCreatedAt: '',
    });
    refs.push({ table, id });
  }
  return { db, refs };
}

async function read(db: LocalDatabase, apart: RecordRef[], together: RecordRef[] = []) {
  const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
  const found = await inWriteTransaction(db, (tx) => readStoredRecords(tx, apart, together));
  return { ids: [...found.values()].map((record) => record.id).sort(), gets: gets.mock.calls.length };
}

const sortedIds = (refs: RecordRef[]) => refs.map((ref) => ref.id).sort();

describe('readStoredRecords', () => {
  it('reads records said to sit together in one range request', async () => {
    const { db, refs } = await tenCards();
    const wanted = [refs[3], refs[4], refs[5]];
    expect(await read(db, [], wanted)).toEqual({ ids: sortedIds(wanted), gets: 0 });
  });

  it('reads the others one by one, in the same round trip', async () => {
    const { db, refs } = await tenCards();
    expect(await read(db, [refs[0], refs[9]], [refs[4], refs[5]])).toEqual({
      ids: sortedIds([refs[0], refs[4], refs[5], refs[9]]),
      gets: 2,
    });
  });

  it('reads records said to sit together one by one when their range is crowded with others', async () => {
    const { db, refs } = await tenCards();
    const wanted = [refs[0], refs[9]];
    expect(await read(db, [], wanted)).toEqual({ ids: sortedIds(wanted), gets: 2 });
  });

  it('leaves out what is not stored', async () => {
    const { db, refs } = await tenCards();
    const unknown = { table: 'cards' as const, id: newId() };
    const found = await inWriteTransaction(db, (tx) => readStoredRecords(tx, [unknown], [refs[2], refs[3]]));
    expect([...found.keys()].sort()).toEqual(sortedIds([refs[2], refs[3]]).map((id) => recordKey('cards', id)));
  });
});
