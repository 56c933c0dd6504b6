import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, type Mutation, newId } from '../../../protocol/index.ts';
import type { WriteIntent } from '../../sync/sync-ports.ts';
import { createTestDatabase, dropTestDatabase } from '../../test-support/pg-database.ts';
import { noteCard } from '../../test-support/test-server.ts';
import { openPostgresStore, type PostgresStore } from '../postgres-store.ts';
import type { Sql } from './connect.ts';
import { loadWrites } from './load-writes.ts';
import { LoadMoreError, recordKey } from './working-set.ts';

/** About 400 KB of UTF-8 per note. */
const LARGE_CONTENT = 'é'.repeat(200_000);
const NOTES = 30;
const NOTE_BYTES = Buffer.byteLength(JSON.stringify(noteCard({ content: LARGE_CONTENT })));

let url: string;
let store: PostgresStore;
let userId: string;
let workspaceId: string;
const clientId = newId();
let noteIds: string[];
let nextSeq = 1;

function mutation(fields: Partial<Mutation>): Mutation {
  return {
    id: newId(),
    seq: nextSeq++,
    op: 'update',
    table: 'cards',
    recordId: newId(),
    workspaceId,
    baseVersion: 1,
    clientTime: new Date().toISOString(),
    ...fields,
  };
}

beforeAll(async () => {
  url = await createTestDatabase();
  store = await openPostgresStore(url, { poolSize: 2 });
  const account = await store.createUser({ email: 'load@example.com', passwordHash: 'h', workspaceName: 'Home' });
  userId = account.user.id;
  workspaceId = account.workspaces[0].id;
  noteIds = Array.from({ length: NOTES }, () => newId());
  // Ten per push: thirty at once would touch more than one push may.
  for (let i = 0; i < NOTES; i += 10) {
    const creates = noteIds
      .slice(i, i + 10)
      .map((recordId) =>
        mutation({ op: 'create', recordId, baseVersion: 0, fields: noteCard({ content: LARGE_CONTENT }) }),
      );
    const answer = await store.push(userId, { protocol: 1, clientId, mutations: creates });
    expect(answer.status).toBe(200);
  }
});

afterAll(async () => {
  await store?.close();
  if (url) await dropTestDatabase(url);
});

/** What a load of `intent` holds: how many named notes came whole, how many as stamps only. */
async function load(intent: WriteIntent, inFull: string[] = []) {
  return store.sql.begin(async (tx) => {
    const set = await loadWrites(tx as unknown as Sql, [intent], 0, Date.now(), { records: inFull, links: [] });
    let whole = 0;
    let stamps = 0;
    for (const id of noteIds) {
      try {
        set.getRecord('cards', id);
        whole++;
      } catch (error) {
        if (!(error instanceof LoadMoreError)) throw error;
        expect(set.getStamp('cards', id)).toMatchObject({ ownerId: userId, version: 1 });
        stamps++;
      }
    }
    return { whole, stamps };
  });
}

function renames(ids: string[], seqFrom?: number): WriteIntent {
  return {
    userId,
    clientId,
    records: ids.map((recordId, i) => ({
      table: 'cards',
      recordId,
      workspaceId,
      seq: seqFrom === undefined ? nextSeq + i : seqFrom + i,
      fields: { title: 'Renamed' },
    })),
  };
}

describe('what a PostgreSQL write loads', () => {
  it('brings the fields of the records a push names only as far as one push may touch', async () => {
    const { whole, stamps } = await load(renames(noteIds));
    expect(whole).toBeLessThanOrEqual(Math.ceil(LIMITS.pushStoredBytes / NOTE_BYTES) + 1);
    expect(whole).toBeGreaterThan(0);
    expect(whole + stamps).toBe(NOTES);
  });

  it('brings records asked for in full whatever their size', async () => {
    const all = noteIds.map((id) => recordKey('cards', id));
    expect(await load(renames(noteIds), all)).toEqual({ whole: NOTES, stamps: 0 });
  });

  it('brings no fields for mutations the client has already had applied (a resend reads stamps)', async () => {
    expect(await load(renames(noteIds, 1))).toEqual({ whole: 0, stamps: NOTES });
  });

  it('runs a push again with more loaded when it reads past the estimate, and applies it', async () => {
    // Twenty-five mutations refused before they read anything (a field of the wrong type), naming
    // large notes the estimate counts, then one valid rename of a note past the estimate.
    const refused = noteIds.slice(0, 25).map((recordId) => mutation({ recordId, fields: { pinned: 'no' } }));
    const rename = mutation({ recordId: noteIds[29], fields: { title: 'Renamed at last' } });
    const answer = await store.push(userId, { protocol: 1, clientId, mutations: [...refused, rename] });
    expect(answer.status).toBe(200);
    const results = JSON.parse(answer.body).results as { status: string }[];
    expect(results.slice(0, 25).every((result) => result.status === 'rejected')).toBe(true);
    expect(results[25].status).toBe('applied');
    expect((await store.getRecord(userId, 'cards', noteIds[29]))?.fields.title).toBe('Renamed at last');
  });
});
