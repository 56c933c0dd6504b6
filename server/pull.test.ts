import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Envelope, newId, type PullResponse } from '../protocol/index.ts';
import { json, noteCard, signUp, startTestServer, type TestServer, type TestUser } from './test-support/test-server.ts';

let server: TestServer;
let user: TestUser;
let clock = Date.parse('2026-01-01T00:00:00Z');

beforeEach(async () => {
  clock = Date.parse('2026-01-01T00:00:00Z');
  server = startTestServer({}, { now: () => clock });
  user = await signUp(server);
});
afterEach(() => server.close());

async function pull(query: string): Promise<PullResponse> {
  const response = await user.send(`/api/sync/pull?${query}`);
  expect(response.status).toBe(200);
  return (await json(response)) as PullResponse;
}

async function createCards(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId());
  await user.push(
    ids.map((recordId) => ({ op: 'create' as const, table: 'cards' as const, recordId, fields: noteCard() })),
  );
  return ids;
}

describe('pull', () => {
  it('returns a full snapshot from cursor 0, the default workspace first', async () => {
    const ids = await createCards(3);
    const page = await pull('cursor=0');
    expect(page.protocol).toBe(1);
    expect(page.changes.map((change) => change.id)).toEqual([user.workspaceId, ...ids]);
    expect(page.hasMore).toBe(false);
    expect(page.cursor).toBe(page.changes[3].seq);
  });

  it('pages with limit and hasMore, ascending by seq, resuming from the cursor', async () => {
    await createCards(5);
    const first = await pull('cursor=0&limit=2');
    expect(first.changes).toHaveLength(2);
    expect(first.hasMore).toBe(true);
    expect(first.cursor).toBe(first.changes[1].seq);
    const rest = await pull(`cursor=${first.cursor}&limit=10`);
    expect(rest.changes).toHaveLength(4);
    const seqs = [...first.changes, ...rest.changes].map((change) => change.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(rest.hasMore).toBe(false);
  });

  it('includes tombstones, and a changed record once with its latest state', async () => {
    const [id] = await createCards(1);
    const { cursor } = await pull('cursor=0');
    await user.push([{ op: 'update', table: 'cards', recordId: id, baseVersion: 1, fields: { title: 'B' } }]);
    await user.push([{ op: 'delete', table: 'cards', recordId: id, baseVersion: 2 }]);
    const page = await pull(`cursor=${cursor}`);
    expect(page.changes).toEqual([
      expect.objectContaining({ id, version: 3, deleted: true, fields: expect.objectContaining({ title: 'B' }) }),
    ]);
  });

  it('answers an empty page at the head with the server cursor', async () => {
    const { cursor } = await pull('cursor=0');
    const page = await pull(`cursor=${cursor}`);
    expect(page).toEqual({ protocol: 1, changes: [], cursor, hasMore: false, horizon: 0 });
  });

  it('serves exactly the JSON an envelope parses to', async () => {
    await createCards(1);
    const page = await pull('cursor=0');
    const change = page.changes[1] as Envelope;
    expect(Object.keys(change)).toEqual([
      'table',
      'id',
      'workspaceId',
      'version',
      'seq',
      'deleted',
      'createdAt',
      'updatedAt',
      'fields',
    ]);
    expect(change.createdAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('answers 400 invalid-request for a bad cursor or limit', async () => {
    for (const query of ['cursor=-1', 'cursor=abc', 'cursor=1.5', 'limit=0', 'limit=5001', 'limit=x']) {
      const response = await user.send(`/api/sync/pull?${query}`);
      expect(response.status, query).toBe(400);
      expect((await json(response)).code).toBe('invalid-request');
    }
    expect((await user.send('/api/sync/pull?limit=5000')).status).toBe(200);
  });

  it('answers 409 cursor-ahead for a cursor past the latest seq', async () => {
    const { cursor } = await pull('cursor=0');
    const response = await user.send(`/api/sync/pull?cursor=${cursor + 1}`);
    expect(response.status).toBe(409);
    expect((await json(response)).code).toBe('cursor-ahead');
  });

  it('answers 410 cursor-expired below the purged horizon, and a resync from 0 ends above it', async () => {
    const [id] = await createCards(2);
    const { cursor: old } = await pull('cursor=0');
    await user.push([{ op: 'delete', table: 'cards', recordId: id, baseVersion: 1 }]);
    clock += 31 * 24 * 60 * 60 * 1000;
    expect(await server.store.purgeTombstones(new Date(clock - 30 * 24 * 60 * 60 * 1000).toISOString())).toBe(1);
    const response = await user.send(`/api/sync/pull?cursor=${old}`);
    expect(response.status).toBe(410);
    expect((await json(response)).code).toBe('cursor-expired');
    const snapshot = await pull('cursor=0');
    expect(snapshot.changes.map((change) => change.id)).not.toContain(id);
    expect((await user.send(`/api/sync/pull?cursor=${snapshot.cursor}`)).status).toBe(200);
  });

  it('pages a resync begun after a purge through cursors below the horizon, and refuses one begun before', async () => {
    const [gone] = await createCards(1);
    await createCards(4);
    await user.push([{ op: 'delete', table: 'cards', recordId: gone, baseVersion: 1 }]);
    const before = await pull('cursor=0&limit=2');
    clock += 31 * 24 * 60 * 60 * 1000;
    expect(await server.store.purgeTombstones(new Date(clock - 30 * 24 * 60 * 60 * 1000).toISOString())).toBe(1);
    const first = await pull('cursor=0&limit=2');
    expect(first).toMatchObject({ hasMore: true });
    expect(first.horizon).toBeGreaterThan(first.cursor);
    const second = await pull(`cursor=${first.cursor}&limit=2&horizon=${first.horizon}`);
    expect(second.changes).toHaveLength(2);
    // Paging begun before the purge (its horizon older) may have missed a deletion: 410.
    const stale = await user.send(`/api/sync/pull?cursor=${before.cursor}&limit=2&horizon=${before.horizon}`);
    expect(stale.status).toBe(410);
    expect((await user.send(`/api/sync/pull?cursor=${first.cursor}&horizon=x`)).status).toBe(400);
  });

  it("is not affected by another user's purge", async () => {
    const { cursor } = await pull('cursor=0');
    const other = await signUp(server);
    const id = newId();
    await other.push([
      { op: 'create', table: 'cards', recordId: id, fields: noteCard() },
      { op: 'delete', table: 'cards', recordId: id, baseVersion: 1 },
    ]);
    clock += 31 * 24 * 60 * 60 * 1000;
    await server.store.purgeTombstones(new Date(clock).toISOString());
    expect((await user.send(`/api/sync/pull?cursor=${cursor}`)).status).toBe(200);
  });

  it('keeps tombstones younger than the retention', async () => {
    const [id] = await createCards(1);
    await user.push([{ op: 'delete', table: 'cards', recordId: id, baseVersion: 1 }]);
    clock += 1000;
    expect(await server.store.purgeTombstones(new Date(clock - 30 * 24 * 60 * 60 * 1000).toISOString())).toBe(0);
    expect((await pull('cursor=0')).changes.map((change) => change.id)).toContain(id);
  });

  it('requires authentication', async () => {
    const response = await server.request('/api/sync/pull?cursor=0');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});
