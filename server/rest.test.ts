import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../protocol/index.ts';
import {
  json,
  linkCard,
  noteCard,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from './test-support/test-server.ts';

let server: TestServer;
let user: TestUser;
beforeEach(async () => {
  server = startTestServer();
  user = await signUp(server);
});
afterEach(() => server.close());

function post(table: string, body: unknown, key: string | null = newId()) {
  return user.send(`/api/${table}`, { method: 'POST', body, headers: key ? { 'idempotency-key': key } : {} });
}

function patch(table: string, id: string, body: unknown, headers: Record<string, string> = {}) {
  return user.send(`/api/${table}/${id}`, {
    method: 'PATCH',
    body,
    headers: { 'idempotency-key': newId(), ...headers },
  });
}

async function createCard(fields = noteCard()) {
  const response = await post('cards', { workspaceId: user.workspaceId, fields });
  expect(response.status).toBe(201);
  return json(response);
}

describe('REST', () => {
  describe('POST /api/:table', () => {
    it('creates a record: 201 with the envelope and its ETag, in the change feed', async () => {
      const response = await post('cards', { workspaceId: user.workspaceId, fields: noteCard() });
      expect(response.status).toBe(201);
      const record = await json(response);
      expect(record).toMatchObject({ table: 'cards', workspaceId: user.workspaceId, version: 1, deleted: false });
      expect(response.headers.get('etag')).toBe('"1"');
      const pull = await json(await user.send('/api/sync/pull?cursor=0'));
      expect(pull.changes.map((change: { id: string }) => change.id)).toContain(record.id);
    });

    it('uses the id given, and makes a workspace its own workspaceId', async () => {
      const id = newId();
      const card = await json(await post('cards', { id, workspaceId: user.workspaceId, fields: noteCard() }));
      expect(card.id).toBe(id);
      const workspace = await json(await post('workspaces', { fields: { name: 'Side' } }));
      expect(workspace.workspaceId).toBe(workspace.id);
      expect((await post('cards', { workspaceId: workspace.id, fields: noteCard() })).status).toBe(201);
    });

    it('requires an Idempotency-Key and replays the stored response for the same key', async () => {
      const missing = await post('cards', { workspaceId: user.workspaceId, fields: noteCard() }, null);
      expect(missing.status).toBe(400);
      expect((await json(missing)).code).toBe('idempotency-key-missing');
      const body = { workspaceId: user.workspaceId, fields: noteCard() };
      const first = await post('cards', body, 'create-1');
      const again = await post('cards', body, 'create-1');
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect((await json(again)).id).toBe((await json(first)).id);
      const reused = await post('cards', { ...body, fields: noteCard({ title: 'Other' }) }, 'create-1');
      expect(reused.status).toBe(422);
    });

    it('answers invalid fields with 400 invalid-field and pointers into the body', async () => {
      const response = await post('cards', { workspaceId: user.workspaceId, fields: noteCard({ pinned: 'yes' }) });
      expect(response.status).toBe(400);
      expect(await json(response)).toMatchObject({ code: 'invalid-field', errors: [{ pointer: '/fields/pinned' }] });
    });

    it('answers a malformed body with 400 invalid-request', async () => {
      const response = await post('cards', { workspaceId: 'x', fields: [], extra: 1 });
      expect(response.status).toBe(400);
      expect((await json(response)).errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual([
        '/extra',
        '/fields',
        '/workspaceId',
      ]);
    });

    it('answers conflicts with 409 and the current record', async () => {
      const card = await createCard(linkCard('https://example.com/x'));
      const duplicate = await post('cards', {
        workspaceId: user.workspaceId,
        fields: linkCard('https://example.com/x'),
      });
      expect(duplicate.status).toBe(409);
      expect(await json(duplicate)).toMatchObject({ code: 'duplicate-url', current: { id: card.id } });
      const exists = await post('cards', { id: card.id, workspaceId: user.workspaceId, fields: noteCard() });
      expect(await json(exists)).toMatchObject({ status: 409, code: 'exists', current: { id: card.id } });
    });

    it('refuses a workspace the user does not own with 403 forbidden', async () => {
      const response = await post('cards', { workspaceId: newId(), fields: noteCard() });
      expect(response.status).toBe(403);
      expect((await json(response)).code).toBe('forbidden');
    });
  });

  describe('GET', () => {
    it('gets a record with ETag "<version>"', async () => {
      const card = await createCard();
      const response = await user.send(`/api/cards/${card.id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"1"');
      expect(await json(response)).toEqual(card);
    });

    it('answers 404 not-found for an unknown id, a malformed id, or another table', async () => {
      const card = await createCard();
      for (const path of [`/api/cards/${newId()}`, '/api/cards/not-an-id', `/api/todos/${card.id}`]) {
        const response = await user.send(path);
        expect(response.status, path).toBe(404);
        expect((await json(response)).code).toBe('not-found');
      }
    });

    it('lists live records by seq with cursor, limit, workspaceId and includeDeleted', async () => {
      const cards = [await createCard(), await createCard(), await createCard()];
      await user.send(`/api/cards/${cards[1].id}`, { method: 'DELETE' });
      const live = await json(await user.send('/api/cards'));
      expect(live.items.map((item: { id: string }) => item.id)).toEqual([cards[0].id, cards[2].id]);
      expect(live.hasMore).toBe(false);
      const all = await json(await user.send('/api/cards?includeDeleted=1&limit=2'));
      expect(all.items).toHaveLength(2);
      expect(all.hasMore).toBe(true);
      const next = await json(await user.send(`/api/cards?includeDeleted=1&cursor=${all.cursor}`));
      expect(next.items.map((item: { id: string }) => item.id)).toEqual([cards[1].id]);
      const elsewhere = await json(await user.send(`/api/cards?workspaceId=${newId()}`));
      expect(elsewhere.items).toEqual([]);
      expect((await user.send('/api/cards?limit=0')).status).toBe(400);
    });
  });

  describe('PATCH', () => {
    it('updates fields and answers the new envelope', async () => {
      const card = await createCard();
      const response = await patch('cards', card.id, { fields: { title: 'Renamed' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"2"');
      expect(await json(response)).toMatchObject({ version: 2, fields: { title: 'Renamed', content: 'Body' } });
    });

    it('honours If-Match: 412 version-mismatch with the current envelope when stale', async () => {
      const card = await createCard();
      expect((await patch('cards', card.id, { fields: { title: 'A' } }, { 'if-match': '"1"' })).status).toBe(200);
      const stale = await patch('cards', card.id, { fields: { title: 'B' } }, { 'if-match': '"1"' });
      expect(stale.status).toBe(412);
      expect(await json(stale)).toMatchObject({
        code: 'version-mismatch',
        current: { version: 2, fields: { title: 'A' } },
      });
      expect((await patch('cards', card.id, { fields: {} }, { 'if-match': 'nope' })).status).toBe(400);
    });

    it('requires an Idempotency-Key', async () => {
      const card = await createCard();
      const response = await user.send(`/api/cards/${card.id}`, { method: 'PATCH', body: { fields: { title: 'x' } } });
      expect((await json(response)).code).toBe('idempotency-key-missing');
    });

    it('answers 404 for an unknown record and 409 deleted for a tombstone', async () => {
      expect((await patch('cards', newId(), { fields: { title: 'x' } })).status).toBe(404);
      const card = await createCard();
      await user.send(`/api/cards/${card.id}`, { method: 'DELETE' });
      const response = await patch('cards', card.id, { fields: { title: 'x' } });
      expect(response.status).toBe(409);
      expect((await json(response)).code).toBe('deleted');
    });
  });

  describe('DELETE', () => {
    it('answers the tombstone envelope, idempotently', async () => {
      const card = await createCard();
      const response = await user.send(`/api/cards/${card.id}`, { method: 'DELETE' });
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({ id: card.id, deleted: true, version: 2 });
      const again = await user.send(`/api/cards/${card.id}`, { method: 'DELETE' });
      expect(await json(again)).toMatchObject({ deleted: true, version: 2 });
      expect((await user.send(`/api/cards/${newId()}`, { method: 'DELETE' })).status).toBe(404);
    });
  });

  describe('routing', () => {
    it('answers an unknown table with 404 unknown-table on every method', async () => {
      for (const [method, path] of [
        ['GET', '/api/widgets'],
        ['GET', `/api/widgets/${newId()}`],
        ['POST', '/api/widgets'],
        ['PUT', `/api/widgets/${newId()}`],
      ]) {
        const response = await user.send(path, { method, body: method === 'GET' ? undefined : {} });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect((await json(response)).code).toBe('unknown-table');
      }
    });

    it('answers a wrong method with 405 and Allow', async () => {
      const response = await user.send(`/api/cards/${newId()}`, { method: 'PUT', body: {} });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, PATCH, DELETE');
      expect((await json(response)).code).toBe('method-not-allowed');
    });

    it('requires authentication', async () => {
      const response = await server.request('/api/cards');
      expect(response.status).toBe(401);
    });
  });
});
