import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, newId, type RejectedResult, type TableName } from '../protocol/index.ts';
import { openDatabase } from './storage/sqlite/open-database.ts';
import { preparePreviewStatements, SqlitePreviewQueue } from './storage/sqlite/sqlite-preview-queue.ts';
import { prepareRecordStatements, SqliteRecordAccess } from './storage/sqlite/sqlite-record-access.ts';
import { applyMutation } from './sync/apply-mutation.ts';
import type { StoredRecord } from './sync/stored-record.ts';
import { json, signUp, startTestServer, type TestServer, type TestUser } from './test-support/test-server.ts';

const DEPTH = LIMITS.collectionDepth;
const collection = (overrides: Record<string, unknown> = {}) => ({ name: 'C', position: 1, ...overrides });

describe('collection parents', () => {
  let server: TestServer;
  let user: TestUser;
  beforeEach(async () => {
    server = startTestServer();
    user = await signUp(server);
  });
  afterEach(() => server.close());

  /** A chain of `length` collections, each under the one before; their ids, top first. */
  async function chain(length: number): Promise<string[]> {
    const ids = Array.from({ length }, () => newId());
    const response = await user.push(
      ids.map((recordId, i) => ({
        op: 'create' as const,
        table: 'collections',
        recordId,
        fields: collection(i === 0 ? {} : { parentId: ids[i - 1] }),
      })),
    );
    expect(response.results.map((result) => result.status)).toEqual(ids.map(() => 'applied'));
    return ids;
  }

  it(`nests collections ${DEPTH} levels deep, and refuses one more with a readable detail`, async () => {
    const ids = await chain(DEPTH);
    const [deeper, moved] = [newId(), newId()];
    const response = await user.push([
      { op: 'create', table: 'collections', recordId: deeper, fields: collection({ parentId: ids[DEPTH - 1] }) },
      { op: 'create', table: 'collections', recordId: moved, fields: collection() },
      { op: 'update', table: 'collections', recordId: moved, baseVersion: 1, fields: { parentId: ids[DEPTH - 1] } },
    ]);
    const detail = `would nest this collection too deeply: collections nest at most ${DEPTH} levels`;
    expect((response.results[0] as RejectedResult).error).toMatchObject({
      code: 'invalid-field',
      errors: [{ pointer: '/mutations/0/fields/parentId', detail }],
    });
    expect(response.results[1].status).toBe('applied');
    expect((response.results[2] as RejectedResult).error.errors).toEqual([
      { pointer: '/mutations/2/fields/parentId', detail },
    ]);
    expect((await user.send(`/api/collections/${deeper}`)).status).toBe(404);
  });

  it('answers a push of the longest chain a push may carry with the first levels applied and the rest refused', async () => {
    const ids = Array.from({ length: LIMITS.maxMutationsPerPush }, () => newId());
    const response = await user.push(
      ids.map((recordId, i) => ({
        op: 'create' as const,
        table: 'collections',
        recordId,
        fields: collection(i === 0 ? {} : { parentId: ids[i - 1] }),
      })),
    );
    const statuses = response.results.map((result) => result.status);
    expect(statuses.slice(0, DEPTH)).toEqual(Array(DEPTH).fill('applied'));
    expect(statuses.slice(DEPTH).every((status) => status === 'rejected')).toBe(true);
  });

  it('counts deleted collections on the way up, so a restore never closes a loop', async () => {
    const [z, y, x] = await chain(3);
    await user.push([{ op: 'delete', table: 'collections', recordId: y, baseVersion: 1 }]);
    const moved = await user.push([
      { op: 'update', table: 'collections', recordId: z, baseVersion: 1, fields: { parentId: x } },
    ]);
    expect((moved.results[0] as RejectedResult).error.errors).toEqual([
      { pointer: '/mutations/0/fields/parentId', detail: 'would make a cycle' },
    ]);
    const restored = await user.push([{ op: 'restore', table: 'collections', recordId: y, baseVersion: 2 }]);
    expect(restored.results[0].status).toBe('applied');
    const parents = await Promise.all(
      [z, y, x].map(async (id) => (await json(await user.send(`/api/collections/${id}`))).fields.parentId ?? null),
    );
    expect(parents).toEqual([null, z, y]);
  });

  it('lets a collection under a deleted parent be moved elsewhere, and a restore bring back its place', async () => {
    const [top, middle, leaf] = await chain(3);
    const other = newId();
    await user.push([
      { op: 'delete', table: 'collections', recordId: middle, baseVersion: 1 },
      { op: 'create', table: 'collections', recordId: other, fields: collection() },
      { op: 'update', table: 'collections', recordId: leaf, baseVersion: 1, fields: { parentId: other } },
      { op: 'update', table: 'collections', recordId: top, baseVersion: 1, fields: { parentId: leaf } },
    ]);
    const restored = await user.push([{ op: 'restore', table: 'collections', recordId: middle, baseVersion: 2 }]);
    expect(restored.results[0].status).toBe('applied');
    expect((await json(await user.send(`/api/collections/${top}`))).fields.parentId).toBe(leaf);
  });
});

describe('the ancestor walk', () => {
  let dir: string;
  let db: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'burrow-walk-'));
    db = openDatabase(path.join(dir, 'burrow.sqlite'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`reads at most ${DEPTH} records above a new parent, however deep old data nests`, () => {
    const statements = prepareRecordStatements(db);
    const userId = newId();
    const workspaceId = newId();
    db.prepare("INSERT INTO users(id, email, password_hash, created_at) VALUES (?, 'walk@x', 'h', 'now')").run(userId);
    const reads = db.transaction(() => {
      const access = new SqliteRecordAccess(
        statements,
        Date.now(),
        new SqlitePreviewQueue(preparePreviewStatements(db), Date.now()),
      );
      access.claimWorkspace(workspaceId, userId);
      // A chain of 200, written as data from before the depth limit would be: around the rules.
      const ids = Array.from({ length: 200 }, () => newId());
      for (const [i, id] of ids.entries()) {
        access.saveRecord(stored(id, workspaceId, userId, i === 0 ? null : ids[i - 1], i + 1), true);
      }
      access.finish();
      const counting = new SqliteRecordAccess(
        statements,
        Date.now(),
        new SqlitePreviewQueue(preparePreviewStatements(db), Date.now()),
      );
      let count = 0;
      const getRecord = counting.getRecord.bind(counting);
      counting.getRecord = (table: TableName, id: string) => {
        count++;
        return getRecord(table, id);
      };
      const outcome = applyMutation(
        counting,
        {
          table: 'collections',
          op: 'create',
          recordId: newId(),
          workspaceId,
          baseVersion: 0,
          fields: collection({ parentId: ids[199] }),
        },
        { userId, writer: null, pointer: '/mutations/0' },
      );
      expect(outcome.status).toBe('rejected');
      return count;
    })();
    // Its own id, the parent, then the walk up to the limit.
    expect(reads).toBeLessThanOrEqual(DEPTH + 1);
  });
});

function stored(id: string, workspaceId: string, ownerId: string, parentId: string | null, seq: number): StoredRecord {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    table: 'collections',
    id,
    workspaceId,
    ownerId,
    version: 1,
    seq,
    deleted: false,
    purged: false,
    createdAt: at,
    updatedAt: at,
    fields: collection(parentId ? { parentId } : {}),
    fieldVersions: {},
    fieldWriters: {},
  };
}
