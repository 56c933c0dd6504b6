import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppliedResult, type ConflictResult, LIMITS, newId, type RejectedResult } from '../protocol/index.ts';
import {
  json,
  linkCard,
  mutation,
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

async function createCard(fields = noteCard()) {
  const recordId = newId();
  const response = await user.push([{ op: 'create', table: 'cards', recordId, fields }]);
  return { recordId, stamp: (response.results[0] as AppliedResult).stamp };
}

function pushRaw(body: unknown, headers: Record<string, string> = { 'idempotency-key': newId() }) {
  return user.send('/api/sync/push', { method: 'POST', headers, body });
}

describe('push', () => {
  describe('ops', () => {
    it('applies a create and answers its stamp with the mutation seq and id, without the fields', async () => {
      const recordId = newId();
      const response = await user.push([{ op: 'create', table: 'cards', recordId, fields: noteCard() }]);
      expect(response).toMatchObject({ protocol: 1, lastSeq: 1 });
      expect(response.results[0]).toEqual({
        seq: 1,
        id: expect.any(String),
        status: 'applied',
        fromVersion: 0,
        stamp: { version: 1, seq: response.cursor, deleted: false, updatedAt: expect.any(String) },
      });
      const stored = await json(await user.send(`/api/cards/${recordId}`));
      expect(stored).toMatchObject({ version: 1, seq: response.cursor, updatedAt: stored.createdAt });
    });

    it('applies an update and bumps the version', async () => {
      const { recordId } = await createCard();
      const response = await user.push([
        { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'New' } },
      ]);
      expect(response.results[0]).toMatchObject({ status: 'applied', fromVersion: 1, stamp: { version: 2 } });
      expect(await json(await user.send(`/api/cards/${recordId}`))).toMatchObject({ fields: { title: 'New' } });
    });

    it('stores null for a field never written, as a change (absent and null differ)', async () => {
      const { recordId } = await createCard();
      const response = await user.push([
        { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { description: null } },
      ]);
      expect(response.results[0]).toMatchObject({ status: 'applied', stamp: { version: 2 } });
      const stored = await json(await user.send(`/api/cards/${recordId}`));
      expect(stored.fields).toHaveProperty('description', null);
    });

    it('deletes into a tombstone that keeps its fields, and restores it', async () => {
      const { recordId } = await createCard();
      const deleted = await user.push([{ op: 'delete', table: 'cards', recordId, baseVersion: 1 }]);
      expect(deleted.results[0]).toMatchObject({
        status: 'applied',
        fromVersion: 1,
        stamp: { deleted: true, version: 2 },
      });
      const restored = await user.push([
        { op: 'restore', table: 'cards', recordId, baseVersion: 2, fields: { title: 'Back' } },
      ]);
      expect(restored.results[0]).toMatchObject({
        status: 'applied',
        fromVersion: 2,
        stamp: { deleted: false, version: 3 },
      });
      expect(await json(await user.send(`/api/cards/${recordId}`))).toMatchObject({
        fields: { title: 'Back', content: 'Body' },
      });
    });

    it('treats the delete of a tombstone or of an unknown id as an applied no-op', async () => {
      const { recordId } = await createCard();
      await user.push([{ op: 'delete', table: 'cards', recordId, baseVersion: 1 }]);
      const again = await user.push([{ op: 'delete', table: 'cards', recordId, baseVersion: 2 }]);
      expect(again.results[0]).toMatchObject({
        status: 'applied',
        fromVersion: 2,
        stamp: { version: 2, deleted: true },
      });
      const unknown = newId();
      const none = await user.push([{ op: 'delete', table: 'cards', recordId: unknown }]);
      expect(none.results[0]).toMatchObject({
        status: 'applied',
        fromVersion: 0,
        stamp: { version: 0, seq: 0, deleted: true },
      });
      expect(await user.send(`/api/cards/${unknown}`).then((r) => r.status)).toBe(404);
    });

    it('rejects the update or restore of an unknown id with not-found', async () => {
      const response = await user.push([
        { op: 'update', table: 'cards', fields: { title: 'x' }, baseVersion: 1 },
        { op: 'restore', table: 'cards' },
      ]);
      expect(response.results.map((result) => (result as RejectedResult).error.code)).toEqual([
        'not-found',
        'not-found',
      ]);
    });
  });

  describe('client seq', () => {
    it('answers an already applied seq with duplicate and the current stamp, never applying it again', async () => {
      const recordId = newId();
      const create = mutation(user, { op: 'create', table: 'cards', recordId, fields: noteCard() });
      const update = mutation(user, { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'B' } });
      await user.push([create, update]);
      const again = await user.push([create, update]);
      expect(again.lastSeq).toBe(2);
      expect(again.results).toEqual([
        expect.objectContaining({
          seq: 1,
          id: create.id,
          status: 'duplicate',
          stamp: expect.objectContaining({ version: 2 }),
        }),
        expect.objectContaining({ seq: 2, id: update.id, status: 'duplicate' }),
      ]);
      const current = await json(await user.send(`/api/cards/${recordId}`));
      expect(current.version).toBe(2);
    });

    it('refuses a gap with 409 seq-gap and expectedSeq, and applies nothing of the request', async () => {
      const first = mutation(user, { op: 'create', table: 'cards', fields: noteCard() });
      const gap = mutation(user, { op: 'create', table: 'cards', fields: noteCard(), seq: 5 });
      const response = await pushRaw({ protocol: 1, clientId: user.clientId, mutations: [first, gap] });
      expect(response.status).toBe(409);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await json(response)).toMatchObject({ code: 'seq-gap', expectedSeq: 2 });
      expect(await (await user.send(`/api/cards/${first.recordId}`)).status).toBe(404);
    });

    it('advances lastSeq past a rejected mutation so the queue never blocks', async () => {
      const response = await user.push([
        { op: 'create', table: 'cards', fields: { kind: 'note' } },
        { op: 'create', table: 'cards', fields: noteCard() },
      ]);
      expect(response.lastSeq).toBe(2);
      expect(response.results.map((result) => result.status)).toEqual(['rejected', 'applied']);
      const next = await user.push([{ op: 'create', table: 'cards', fields: noteCard() }]);
      expect(next.lastSeq).toBe(3);
    });

    it('binds a clientId to its first user: another user gets 403 client-forbidden', async () => {
      await user.push([{ op: 'create', table: 'cards', fields: noteCard() }]);
      const other = await signUp(server);
      const response = await other.send('/api/sync/push', {
        method: 'POST',
        headers: { 'idempotency-key': newId() },
        body: {
          protocol: 1,
          clientId: user.clientId,
          mutations: [mutation(other, { op: 'create', table: 'cards', fields: noteCard() })],
        },
      });
      expect(response.status).toBe(403);
      expect((await json(response)).code).toBe('client-forbidden');
    });
  });

  describe('merge conflicts', () => {
    it('applies fields nobody else changed and reports the ones that conflict', async () => {
      const { recordId } = await createCard();
      const otherDevice = newId();
      await user.push(
        [{ op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'Theirs' }, seq: 1 }],
        { clientId: otherDevice },
      );
      const response = await user.push([
        { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'Mine', content: 'New body' } },
      ]);
      const result = response.results[0] as ConflictResult;
      expect(result).toMatchObject({
        status: 'conflict',
        code: 'field-conflict',
        conflicts: [{ field: 'title', server: 'Theirs' }],
        fromVersion: 2,
        stamp: { version: 3 },
      });
      expect(await json(await user.send(`/api/cards/${recordId}`))).toMatchObject({
        fields: { title: 'Theirs', content: 'New body' },
      });
    });

    it('does not conflict when the server value equals the client value', async () => {
      const { recordId } = await createCard();
      await user.push([{ op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'Same' }, seq: 1 }], {
        clientId: newId(),
      });
      const response = await user.push([
        { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'Same' } },
      ]);
      expect(response.results[0]).toMatchObject({ status: 'applied', fromVersion: 2, stamp: { version: 2 } });
    });

    it("never conflicts with the same client's own earlier mutation", async () => {
      const { recordId } = await createCard();
      const response = await user.push([
        { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'One' } },
        { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'Two' } },
      ]);
      expect(response.results.map((result) => result.status)).toEqual(['applied', 'applied']);
      expect(response.results[1]).toMatchObject({ fromVersion: 2, stamp: { version: 3 } });
      expect(await json(await user.send(`/api/cards/${recordId}`))).toMatchObject({ fields: { title: 'Two' } });
    });

    it('answers an update of a tombstone with conflict deleted and applies nothing', async () => {
      const { recordId } = await createCard();
      await user.push([{ op: 'delete', table: 'cards', recordId, baseVersion: 1 }]);
      const response = await user.push([
        { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'x' } },
      ]);
      expect(response.results[0]).toMatchObject({
        status: 'conflict',
        code: 'deleted',
        fromVersion: 2,
        stamp: { deleted: true, version: 2 },
      });
    });

    it('answers a create of an existing id with conflict exists', async () => {
      const { recordId } = await createCard();
      const response = await user.push([
        { op: 'create', table: 'cards', recordId, fields: noteCard({ title: 'Other' }) },
      ]);
      expect(response.results[0]).toMatchObject({
        status: 'conflict',
        code: 'exists',
        fromVersion: 1,
        stamp: { version: 1 },
      });
    });

    it('answers a create of a link card whose url is taken with duplicate-url and the existing card', async () => {
      const { recordId } = await createCard(linkCard('https://example.com/a'));
      const response = await user.push([{ op: 'create', table: 'cards', fields: linkCard('https://example.com/a') }]);
      expect(response.results[0]).toMatchObject({
        status: 'conflict',
        code: 'duplicate-url',
        existingId: recordId,
      });
      expect(response.results[0]).not.toHaveProperty('stamp');
      await user.push([{ op: 'delete', table: 'cards', recordId, baseVersion: 1 }]);
      const afterDelete = await user.push([
        { op: 'create', table: 'cards', fields: linkCard('https://example.com/a') },
      ]);
      expect(afterDelete.results[0].status).toBe('applied');
    });
  });

  describe('lww (viewSettings)', () => {
    const view = { viewKey: 'home', layout: 'grid', sortBy: 'updated', sortDir: 'desc', filters: {} };

    it('lets the later arrival win without conflicts, and applies a create of an existing id as an update', async () => {
      const recordId = newId();
      await user.push([{ op: 'create', table: 'viewSettings', recordId, fields: view }]);
      await user.push(
        [{ op: 'update', table: 'viewSettings', recordId, baseVersion: 1, fields: { layout: 'list' }, seq: 1 }],
        {
          clientId: newId(),
        },
      );
      const late = await user.push([
        { op: 'update', table: 'viewSettings', recordId, baseVersion: 1, fields: { layout: 'compact' } },
        { op: 'create', table: 'viewSettings', recordId, fields: { ...view, sortDir: 'asc' } },
      ]);
      expect(late.results.map((result) => result.status)).toEqual(['applied', 'applied']);
      expect(late.results[1]).toMatchObject({ fromVersion: 3, stamp: { version: 4 } });
      const stored = await json(await user.send(`/api/viewSettings/${recordId}`));
      expect(stored.fields).toMatchObject({ layout: 'grid', sortDir: 'asc' });
    });
  });

  describe('validation and authorization', () => {
    it('rejects invalid fields with pointers into the request body', async () => {
      const response = await user.push([
        { op: 'create', table: 'cards', fields: noteCard() },
        { op: 'create', table: 'cards', fields: noteCard({ title: 7, bogus: true }) },
      ]);
      const error = (response.results[1] as RejectedResult).error;
      expect(error).toMatchObject({ code: 'invalid-field', status: 400 });
      expect(error.errors?.map((item) => item.pointer)).toEqual([
        '/mutations/1/fields/title',
        '/mutations/1/fields/bogus',
      ]);
    });

    it('rejects field names inherited from Object.prototype instead of failing the request', async () => {
      const response = await user.send('/api/sync/push', {
        method: 'POST',
        headers: { 'idempotency-key': newId() },
        body: `{"protocol":1,"clientId":"${user.clientId}","mutations":[${JSON.stringify(
          mutation(user, { op: 'create', table: 'cards', fields: noteCard() }),
        ).replace('"pinned":false', '"pinned":false,"__proto__":{"x":1},"toString":1')}]}`,
      });
      expect(response.status).toBe(200);
      const error = (await json(response)).results[0].error;
      // Both reach the field check as unknown fields; neither is dropped nor crashes the request.
      expect(error.errors.map((item: { pointer: string }) => item.pointer)).toEqual([
        '/mutations/0/fields/__proto__',
        '/mutations/0/fields/toString',
      ]);
    });

    it('rejects an unknown table per mutation', async () => {
      const response = await user.push([{ op: 'create', table: 'widgets', fields: {} }]);
      expect((response.results[0] as RejectedResult).error.code).toBe('unknown-table');
    });

    it('rejects a link card update that removes its url', async () => {
      const { recordId } = await createCard(linkCard('https://example.com/b'));
      const response = await user.push([
        { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { url: null } },
      ]);
      expect((response.results[0] as RejectedResult).error.errors).toEqual([
        { pointer: '/mutations/0/fields/url', detail: 'is required for a link card' },
      ]);
    });

    it('refuses writes to a workspace the user does not own, the same way whether it exists or not', async () => {
      const other = await signUp(server);
      const response = await user.push([
        { op: 'create', table: 'cards', workspaceId: other.workspaceId, fields: noteCard() },
        { op: 'create', table: 'cards', workspaceId: newId(), fields: noteCard() },
      ]);
      const [theirs, nobodys] = response.results as RejectedResult[];
      expect(theirs.status).toBe('rejected');
      expect(theirs.error.code).toBe('forbidden');
      expect({ ...theirs.error, detail: '' }).toEqual({ ...nobodys.error, detail: '' });
      expect('stamp' in theirs).toBe(false);
    });

    it('makes the creator of a workspace its owner', async () => {
      const workspaceId = newId();
      const response = await user.push([
        { op: 'create', table: 'workspaces', recordId: workspaceId, workspaceId, fields: { name: 'Work' } },
        { op: 'create', table: 'cards', workspaceId, fields: noteCard() },
      ]);
      expect(response.results.map((result) => result.status)).toEqual(['applied', 'applied']);
      const me = await json(await user.send('/api/auth/me'));
      expect(me.workspaces.map((workspace: { fields: { name: string } }) => workspace.fields.name)).toEqual([
        'Personal',
        'Work',
      ]);
    });

    it('requires workspaceId to equal the record id for a workspace', async () => {
      const response = await user.push([{ op: 'create', table: 'workspaces', fields: { name: 'W' } }]);
      expect((response.results[0] as RejectedResult).error.errors?.[0].pointer).toBe('/mutations/0/workspaceId');
    });
  });

  describe('collections parentId', () => {
    const collection = (overrides: Record<string, unknown> = {}) => ({ name: 'C', position: 1, ...overrides });

    it('accepts a live collection of the same workspace as parent', async () => {
      const parent = newId();
      const response = await user.push([
        { op: 'create', table: 'collections', recordId: parent, fields: collection() },
        { op: 'create', table: 'collections', fields: collection({ parentId: parent }) },
      ]);
      expect(response.results.map((result) => result.status)).toEqual(['applied', 'applied']);
    });

    it('rejects a missing, deleted or foreign-workspace parent', async () => {
      const deleted = newId();
      const workspaceId = newId();
      const elsewhere = newId();
      await user.push([
        { op: 'create', table: 'collections', recordId: deleted, fields: collection() },
        { op: 'delete', table: 'collections', recordId: deleted, baseVersion: 1 },
        { op: 'create', table: 'workspaces', recordId: workspaceId, workspaceId, fields: { name: 'W2' } },
        { op: 'create', table: 'collections', recordId: elsewhere, workspaceId, fields: collection() },
      ]);
      const response = await user.push([
        { op: 'create', table: 'collections', fields: collection({ parentId: newId() }) },
        { op: 'create', table: 'collections', fields: collection({ parentId: deleted }) },
        { op: 'create', table: 'collections', fields: collection({ parentId: elsewhere }) },
      ]);
      for (const result of response.results as RejectedResult[]) {
        expect(result.error.errors?.[0].detail).toBe('must be a live collection of the same workspace');
      }
    });

    it('rejects a parent that would make a cycle, or the collection itself', async () => {
      const [a, b] = [newId(), newId()];
      await user.push([
        { op: 'create', table: 'collections', recordId: a, fields: collection() },
        { op: 'create', table: 'collections', recordId: b, fields: collection({ parentId: a }) },
      ]);
      const response = await user.push([
        { op: 'update', table: 'collections', recordId: a, baseVersion: 1, fields: { parentId: b } },
        { op: 'update', table: 'collections', recordId: a, baseVersion: 1, fields: { parentId: a } },
      ]);
      expect((response.results as RejectedResult[]).map((result) => result.error.errors?.[0].detail)).toEqual([
        'would make a cycle',
        'must not be the collection itself',
      ]);
    });
  });

  describe('whole-request errors', () => {
    it('requires an Idempotency-Key', async () => {
      const response = await pushRaw({ protocol: 1, clientId: user.clientId, mutations: [] }, {});
      expect(response.status).toBe(400);
      expect((await json(response)).code).toBe('idempotency-key-missing');
    });

    it('refuses another protocol version', async () => {
      const response = await pushRaw({ protocol: 2, clientId: user.clientId, mutations: [] });
      expect((await json(response)).code).toBe('protocol-unsupported');
    });

    it('refuses a malformed body with invalid-request and pointers', async () => {
      const response = await pushRaw({ protocol: 1, clientId: 'nope', mutations: [] });
      expect(response.status).toBe(400);
      const body = await json(response);
      expect(body.code).toBe('invalid-request');
      expect(body.errors.map((error: { pointer: string }) => error.pointer)).toEqual(['/clientId', '/mutations']);
    });

    it('refuses malformed JSON, other media types and bodies over 1 MiB', async () => {
      const malformed = await user.send('/api/sync/push', {
        method: 'POST',
        headers: { 'idempotency-key': 'k' },
        body: '{"protocol":',
      });
      expect(malformed.status).toBe(400);
      const text = await user.send('/api/sync/push', {
        method: 'POST',
        headers: { 'idempotency-key': 'k', 'content-type': 'text/plain' },
        body: '{}',
      });
      expect(text.status).toBe(415);
      expect((await json(text)).code).toBe('unsupported-media-type');
      const big = await pushRaw({ protocol: 1, clientId: user.clientId, mutations: [], pad: 'x'.repeat(1024 * 1024) });
      expect(big.status).toBe(413);
      expect((await json(big)).code).toBe('too-large');
    });

    it(`refuses more than ${LIMITS.maxMutationsPerPush} mutations with 413`, async () => {
      const mutations = Array.from({ length: LIMITS.maxMutationsPerPush + 1 }, () =>
        mutation(user, { op: 'delete', table: 'cards' }),
      );
      const response = await pushRaw({ protocol: 1, clientId: user.clientId, mutations });
      expect(response.status).toBe(413);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the stored response for the same key and body, with Idempotent-Replayed: true', async () => {
      const body = {
        protocol: 1,
        clientId: user.clientId,
        mutations: [mutation(user, { op: 'create', table: 'cards', fields: noteCard() })],
      };
      const headers = { 'idempotency-key': '"batch-1"' };
      const first = await pushRaw(body, headers);
      const firstBody = await first.text();
      const replay = await pushRaw(body, headers);
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.text()).toBe(firstBody);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
    });

    it('answers 422 idempotency-key-reused for the same key with a different body', async () => {
      const headers = { 'idempotency-key': 'batch-2' };
      await pushRaw(
        {
          protocol: 1,
          clientId: user.clientId,
          mutations: [mutation(user, { op: 'create', table: 'cards', fields: noteCard() })],
        },
        headers,
      );
      const response = await pushRaw(
        {
          protocol: 1,
          clientId: user.clientId,
          mutations: [mutation(user, { op: 'create', table: 'cards', fields: noteCard() })],
        },
        headers,
      );
      expect(response.status).toBe(422);
      expect((await json(response)).code).toBe('idempotency-key-reused');
    });

    it('does not store a refused request: the key stays usable', async () => {
      const headers = { 'idempotency-key': 'batch-3' };
      expect((await pushRaw({ protocol: 1, clientId: 'bad', mutations: [] }, headers)).status).toBe(400);
      const good = {
        protocol: 1,
        clientId: user.clientId,
        mutations: [mutation(user, { op: 'create', table: 'cards', fields: noteCard() })],
      };
      const response = await pushRaw(good, headers);
      expect(response.status).toBe(200);
      expect(response.headers.get('idempotent-replayed')).toBeNull();
    });

    it('scopes keys per user', async () => {
      const other = await signUp(server);
      const headers = { 'idempotency-key': 'shared' };
      await pushRaw(
        {
          protocol: 1,
          clientId: user.clientId,
          mutations: [mutation(user, { op: 'create', table: 'cards', fields: noteCard() })],
        },
        headers,
      );
      const response = await other.send('/api/sync/push', {
        method: 'POST',
        headers,
        body: {
          protocol: 1,
          clientId: other.clientId,
          mutations: [mutation(other, { op: 'create', table: 'cards', fields: noteCard() })],
        },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('idempotent-replayed')).toBeNull();
    });

    it('refuses a malformed key with 400', async () => {
      const response = await pushRaw(
        { protocol: 1, clientId: user.clientId, mutations: [] },
        { 'idempotency-key': 'a b' },
      );
      expect(response.status).toBe(400);
    });
  });
});
