import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { readStoredRecords, recordKey } from './read-records.ts';
import { inWriteTransaction, type LocalDatabase, openLocalDatabase } from './schema.ts';
import { envelope, uniqueDatabaseName } from './test-fixtures.ts';
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

async function read(db: LocalDatabase, refs: RecordRef[]) {
  const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
  const found = await inWriteTransaction(db, (tx) => readStoredRecords(tx, refs));
  return { ids: [...found.values()].map((record) => record.id), gets: gets.mock.calls.length };
}

describe('readStoredRecords', () => {
  it('reads records that sit together in one range request', async () => {
    const { db, refs } = await tenCards();
    const wanted = [refs[3], refs[4], refs[5]];
    expect(await read(db, wanted)).toEqual({ ids: wanted.map((ref) => ref.id), gets: 0 });
  });

  it('reads each record on its own when their range is crowded with others', async () => {
    const { db, refs } = await tenCards();
    const wanted = [refs[0], refs[9]];
    const { ids, gets } = await read(db, wanted);
    expect(ids.sort()).toEqual(wanted.map((ref) => ref.id).sort());
    expect(gets).toBe(2);
  });

  it('leaves out what is not stored', async () => {
    const { db, refs } = await tenCards();
    const unknown = { table: 'cards' as const, id: newId() };
    const found = await inWriteTransaction(db, (tx) => readStoredRecords(tx, [refs[2], unknown]));
    expect([...found.keys()]).toEqual([recordKey('cards', refs[2].id)]);
  });
});
