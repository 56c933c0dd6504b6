import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Envelope, newId, type RejectedResult } from '../protocol/index.ts';
import { json, noteCard, signUp, startTestServer, type TestServer, type TestUser } from './test-support/test-server.ts';

let server: TestServer;
let user: TestUser;
beforeEach(async () => {
  server = startTestServer();
  user = await signUp(server);
});
afterEach(() => server.close());

async function createNote(fields = noteCard({ content: 'a secret' })): Promise<string> {
  const recordId = newId();
  const response = await user.push([{ op: 'create', table: 'cards', recordId, fields }]);
  expect(response.results[0].status).toBe('applied');
  return recordId;
}

async function pulled(recordId: string, who = user): Promise<Envelope | undefined> {
  const page = await json(await who.send('/api/sync/pull?cursor=0'));
  return page.changes.find((change: Envelope) => change.id === recordId);
}

async function storedRow(recordId: string) {
  const rows = await server.query<{ fields: string; field_versions: string; field_writers: string }>(
    'SELECT fields, field_versions, field_writers FROM records WHERE id = ?',
    recordId,
  );
  return rows[0];
}

async function storageBytes(): Promise<number> {
  const [row] = await server.query<{ bytes: number }>('SELECT storage_bytes AS bytes FROM users WHERE id = ?', user.id);
  return Number(row.bytes);
}

describe('purge', () => {
  describe('of a tombstone', () => {
    it('erases its content, keeps the row, and sends it once more marked purged', async () => {
      const id = await createNote();
      await user.push([{ op: 'delete', table: 'cards', recordId: id, baseVersion: 1 }]);
      const response = await user.push([{ op: 'purge', table: 'cards', recordId: id, baseVersion: 2 }]);
      expect(response.results[0]).toMatchObject({
        status: 'applied',
        fromVersion: 2,
        stamp: { version: 3, deleted: true },
      });
      expect(await pulled(id)).toMatchObject({ version: 3, deleted: true, purged: true, fields: {} });
      expect(await storedRow(id)).toEqual({ fields: '{}', field_versions: '{}', field_writers: '{}' });
    });

    it('is idempotent: a second purge changes nothing', async () => {
      const id = await createNote();
      await user.push([{ op: 'purge', table: 'cards', recordId: id, baseVersion: 1 }]);
      const again = await user.push([{ op: 'purge', table: 'cards', recordId: id, baseVersion: 2 }]);
      expect(again.results[0]).toMatchObject({ status: 'applied', fromVersion: 2, stamp: { version: 2 } });
    });

    it('frees the storage the record took', async () => {
      const before = await storageBytes();
      const id = await createNote(noteCard({ content: 'x'.repeat(10_000) }));
      expect(await storageBytes()).toBeGreaterThan(before + 10_000);
      await user.push([{ op: 'purge', table: 'cards', recordId: id, baseVersion: 1 }]);
      expect(await storageBytes()).toBeLessThan(before + 100);
    });
  });

  describe('of a live record', () => {
    it('deletes and purges it in one change', async () => {
      const id = await createNote();
      const response = await user.push([{ op: 'purge', table: 'cards', recordId: id, baseVersion: 1 }]);
      expect(response.results[0]).toMatchObject({
        status: 'applied',
        fromVersion: 1,
        stamp: { version: 2, deleted: true },
      });
      expect(await pulled(id)).toMatchObject({ version: 2, deleted: true, purged: true, fields: {} });
    });
  });

  describe('of an id the server does not have', () => {
    it('answers the never-stored tombstone, for an unknown id and for another user’s record alike', async () => {
      const other = await signUp(server);
      const theirs = newId();
      await other.push([
        { op: 'create', table: 'cards', recordId: theirs, workspaceId: other.workspaceId, fields: noteCard() },
      ]);
      const response = await user.push([
        { op: 'purge', table: 'cards', recordId: newId() },
        { op: 'purge', table: 'cards', recordId: theirs, workspaceId: other.workspaceId },
      ]);
      const neverStored = { status: 'applied', fromVersion: 0, stamp: { version: 0, seq: 0, deleted: true } };
      expect(response.results[0]).toMatchObject(neverStored);
      // Someone else's workspace is `forbidden` for every op, before the record is looked at.
      expect(response.results[1]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
      const inMine = await user.push([{ op: 'purge', table: 'cards', recordId: theirs }]);
      expect(inMine.results[0]).toMatchObject(neverStored);
      expect(await pulled(theirs, other)).toMatchObject({ deleted: false, fields: noteCard() });
    });
  });

  describe('afterwards', () => {
    it('refuses an update, a restore and a create as the deleted conflict, and takes a delete as a no-op', async () => {
      const id = await createNote();
      await user.push([{ op: 'purge', table: 'cards', recordId: id, baseVersion: 1 }]);
      const response = await user.push([
        { op: 'update', table: 'cards', recordId: id, baseVersion: 2, fields: { title: 'Back?' } },
        { op: 'restore', table: 'cards', recordId: id, baseVersion: 2 },
        { op: 'create', table: 'cards', recordId: id, fields: noteCard() },
        { op: 'delete', table: 'cards', recordId: id, baseVersion: 2 },
      ]);
      const conflict = { status: 'conflict', code: 'deleted', stamp: { version: 2, deleted: true } };
      expect(response.results.slice(0, 3)).toMatchObject([conflict, conflict, conflict]);
      expect(response.results[3]).toMatchObject({ status: 'applied', stamp: { version: 2 } });
      expect(await pulled(id)).toMatchObject({ version: 2, purged: true, fields: {} });
    });

    it('lets a view’s settings (lww) be created again under the same id, no longer purged', async () => {
      const id = newId();
      const fields = { viewKey: 'all', layout: 'grid', sortBy: 'updated', sortDir: 'desc', filters: {} };
      await user.push([{ op: 'create', table: 'viewSettings', recordId: id, fields }]);
      await user.push([{ op: 'purge', table: 'viewSettings', recordId: id, baseVersion: 1 }]);
      const again = await user.push([{ op: 'create', table: 'viewSettings', recordId: id, fields }]);
      expect(again.results[0]).toMatchObject({ status: 'applied', stamp: { version: 3, deleted: false } });
      const envelope = await pulled(id);
      expect(envelope?.purged).toBeUndefined();
      expect(envelope?.fields).toEqual(fields);
    });

    it('answers a resend of the purge duplicate, without applying it again', async () => {
      const id = await createNote();
      const mutation = { op: 'purge' as const, table: 'cards', recordId: id, baseVersion: 1, seq: user.nextSeq++ };
      await user.push([mutation]);
      const resent = await user.push([mutation]);
      expect(resent.results[0]).toMatchObject({ status: 'duplicate', stamp: { version: 2, deleted: true } });
    });
  });

  it('counts against the write limit like a delete: one write each, push or REST', async () => {
    await server.close();
    server = startTestServer({ BURROW_WRITE_LIMIT: '3' });
    user = await signUp(server);
    const id = await createNote();
    await user.push([{ op: 'purge', table: 'cards', recordId: id, baseVersion: 1 }]);
    expect((await user.send(`/api/cards/${id}?purge=1`, { method: 'DELETE' })).status).toBe(200);
    const limited = await user.send(`/api/cards/${id}?purge=1`, { method: 'DELETE' });
    expect(limited.status).toBe(429);
    expect(await json(limited)).toMatchObject({ code: 'rate-limited' });
  });

  it('refuses to purge a workspace, pointing at the op', async () => {
    const response = await user.push([
      { op: 'purge', table: 'workspaces', recordId: user.workspaceId, workspaceId: user.workspaceId },
    ]);
    expect((response.results[0] as RejectedResult).error).toMatchObject({
      status: 400,
      code: 'invalid-field',
      errors: [{ pointer: '/mutations/0/op', detail: 'cannot purge a workspace: delete it instead' }],
    });
  });

  it('ends the collections’ walk up at a purged collection, which can never come back to close a loop', async () => {
    const [top, middle, bottom] = [newId(), newId(), newId()];
    const collection = (name: string, parentId?: string) => ({ name, position: 1, ...(parentId ? { parentId } : {}) });
    await user.push([
      { op: 'create', table: 'collections', recordId: top, fields: collection('Top') },
      { op: 'create', table: 'collections', recordId: middle, fields: collection('Mid', top) },
      { op: 'create', table: 'collections', recordId: bottom, fields: collection('Bottom', middle) },
    ]);
    const cycle = await user.push([
      { op: 'update', table: 'collections', recordId: top, fields: { parentId: bottom }, baseVersion: 1 },
    ]);
    expect(cycle.results[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid-field' } });
    await user.push([{ op: 'purge', table: 'collections', recordId: middle, baseVersion: 1 }]);
    // Bottom → Mid ends there: Mid's parent is erased with the rest of it.
    const moved = await user.push([
      { op: 'update', table: 'collections', recordId: top, fields: { parentId: bottom }, baseVersion: 1 },
      { op: 'restore', table: 'collections', recordId: middle, baseVersion: 2 },
    ]);
    expect(moved.results[0]).toMatchObject({ status: 'applied' });
    expect(moved.results[1]).toMatchObject({ status: 'conflict', code: 'deleted' });
  });
});

describe('DELETE /api/:table/:id?purge=1', () => {
  it('deletes for good: the purged tombstone, with its ETag', async () => {
    const id = await createNote();
    const response = await user.send(`/api/cards/${id}?purge=1`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(await json(response)).toMatchObject({ id, version: 2, deleted: true, purged: true, fields: {} });
    const again = await user.send(`/api/cards/${id}?purge=true`, { method: 'DELETE' });
    expect(await json(again)).toMatchObject({ version: 2, purged: true });
  });

  it('answers a bad purge value, an unknown id and a workspace with problems', async () => {
    const id = await createNote();
    const bad = await user.send(`/api/cards/${id}?purge=yes`, { method: 'DELETE' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await json(bad)).toMatchObject({ code: 'invalid-request', errors: [{ pointer: '/purge' }] });
    const unknown = await user.send(`/api/cards/${newId()}?purge=1`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    const workspace = await user.send(`/api/workspaces/${user.workspaceId}?purge=1`, { method: 'DELETE' });
    expect(workspace.status).toBe(400);
    expect(await json(workspace)).toMatchObject({ code: 'invalid-field' });
  });

  it('takes an Idempotency-Key reused from a plain DELETE as another request (422), never a wrong replay', async () => {
    const id = await createNote();
    const headers = { 'idempotency-key': newId() };
    expect((await user.send(`/api/cards/${id}`, { method: 'DELETE', headers })).status).toBe(200);
    const reused = await user.send(`/api/cards/${id}?purge=1`, { method: 'DELETE', headers });
    expect(reused.status).toBe(422);
    expect(await json(reused)).toMatchObject({ code: 'idempotency-key-reused' });
    const replayed = await user.send(`/api/cards/${id}`, { method: 'DELETE', headers });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers a PATCH of a purged record 409 deleted, saying it cannot come back', async () => {
    const id = await createNote();
    await user.send(`/api/cards/${id}?purge=1`, { method: 'DELETE' });
    const response = await user.send(`/api/cards/${id}`, {
      method: 'PATCH',
      body: { fields: { title: 'Back?' } },
      headers: { 'idempotency-key': newId() },
    });
    expect(response.status).toBe(409);
    expect(await json(response)).toMatchObject({
      code: 'deleted',
      detail: 'The record was deleted for good; it cannot come back.',
      current: { purged: true, fields: {} },
    });
  });

  it('keeps ?purge=0 an ordinary delete, its content kept for the Trash', async () => {
    const id = await createNote();
    const response = await user.send(`/api/cards/${id}?purge=0`, { method: 'DELETE' });
    const envelope = await json(response);
    expect(envelope).toMatchObject({ deleted: true, fields: { content: 'a secret' } });
    expect(envelope).not.toHaveProperty('purged');
  });
});
