import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../protocol/index.ts';
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

const SECRET = 'secret-of-the-first-user';
const SECRET_URL = 'https://example.com/secret-of-the-first-user';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let aliceCard: string;
let aliceCollection: string;
let aliceToken: string;
const bodies: string[] = [];

/** Every response Bob gets is recorded, to check none of them carries Alice's data. */
async function asBob(path: string, init?: Parameters<TestUser['send']>[1]) {
  const response = await bob.send(path, init);
  const text = await response.text();
  bodies.push(text);
  return { status: response.status, text, body: text ? JSON.parse(text) : null };
}

/** A body with every UUID and timestamp blanked, to compare answers about different ids. */
function shape(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')
    .replace(/"(seq|cursor|lastSeq)":\d+/g, '"$1":N');
}

async function bobPush(drafts: Parameters<TestUser['push']>[0], clientId = bob.clientId) {
  const mutations = drafts.map((draft) => mutation(bob, draft));
  return asBob('/api/sync/push', {
    method: 'POST',
    headers: { 'idempotency-key': newId() },
    body: { protocol: 1, clientId, mutations },
  });
}

beforeAll(async () => {
  server = startTestServer();
  alice = await signUp(server);
  bob = await signUp(server);
  aliceCard = newId();
  aliceCollection = newId();
  await alice.push([
    { op: 'create', table: 'cards', recordId: aliceCard, fields: linkCard(SECRET_URL, { title: SECRET }) },
    { op: 'create', table: 'collections', recordId: aliceCollection, fields: { name: SECRET, position: 1 } },
  ]);
  const token = await alice.send('/api/auth/tokens', { method: 'POST', body: { name: SECRET } });
  aliceToken = (await json(token)).id;
});
afterAll(() => server.close());
afterEach(() => {
  for (const text of bodies) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(alice.email);
  }
});

describe('isolation between users', () => {
  it('REST get, patch and delete of her record answer exactly like a random id', async () => {
    const random = newId();
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { fields: { title: 'x' } }],
      ['DELETE', undefined],
    ] as const) {
      const headers = { 'idempotency-key': newId() };
      const hers = await asBob(`/api/cards/${aliceCard}`, { method, body, headers });
      const nobodys = await asBob(`/api/cards/${random}`, { method, body, headers: { 'idempotency-key': newId() } });
      expect(hers.status, method).toBe(404);
      expect(shape(hers.text)).toBe(shape(nobodys.text));
    }
  });

  it('REST list of her workspace is empty, like a random workspace', async () => {
    const hers = await asBob(`/api/cards?workspaceId=${alice.workspaceId}&includeDeleted=1`);
    const nobodys = await asBob(`/api/cards?workspaceId=${newId()}&includeDeleted=1`);
    expect(hers.body.items).toEqual([]);
    expect(shape(hers.text)).toBe(shape(nobodys.text));
  });

  it('REST create in her workspace is forbidden, like a random workspace', async () => {
    const send = (workspaceId: string) =>
      asBob('/api/cards', {
        method: 'POST',
        body: { workspaceId, fields: noteCard() },
        headers: { 'idempotency-key': newId() },
      });
    const hers = await send(alice.workspaceId);
    const nobodys = await send(newId());
    expect(hers.status).toBe(403);
    expect(shape(hers.text)).toBe(shape(nobodys.text));
  });

  it('push update, restore and delete of her record (in his workspace) answer like a random id', async () => {
    for (const op of ['update', 'restore', 'delete'] as const) {
      const fields = op === 'delete' ? undefined : { title: 'x' };
      const hers = await bobPush([{ op, table: 'cards', recordId: aliceCard, baseVersion: 1, fields }]);
      const nobodys = await bobPush([{ op, table: 'cards', recordId: newId(), baseVersion: 1, fields }]);
      expect(hers.status).toBe(200);
      expect(shape(JSON.stringify(hers.body.results[0]))).toBe(shape(JSON.stringify(nobodys.body.results[0])));
    }
  });

  it('push into her workspace is forbidden without a record, like a random workspace', async () => {
    for (const op of ['create', 'update', 'delete', 'restore'] as const) {
      const fields = op === 'create' ? noteCard() : op === 'delete' ? undefined : { title: 'x' };
      const hers = await bobPush([
        { op, table: 'cards', recordId: aliceCard, workspaceId: alice.workspaceId, baseVersion: 1, fields },
      ]);
      const nobodys = await bobPush([
        { op, table: 'cards', recordId: newId(), workspaceId: newId(), baseVersion: 1, fields },
      ]);
      expect(hers.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
      expect(hers.body.results[0].record).toBeUndefined();
      expect(shape(JSON.stringify(hers.body.results[0]))).toBe(shape(JSON.stringify(nobodys.body.results[0])));
    }
  });

  it('a create that reuses her record or workspace id is forbidden and reveals nothing', async () => {
    const card = await bobPush([{ op: 'create', table: 'cards', recordId: aliceCard, fields: noteCard() }]);
    expect(card.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    const workspace = await bobPush([
      {
        op: 'create',
        table: 'workspaces',
        recordId: alice.workspaceId,
        workspaceId: alice.workspaceId,
        fields: { name: 'x' },
      },
    ]);
    expect(workspace.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
  });

  it('her collection cannot be his parent, exactly like a random id', async () => {
    const hers = await bobPush([
      { op: 'create', table: 'collections', fields: { name: 'c', position: 1, parentId: aliceCollection } },
    ]);
    const nobodys = await bobPush([
      { op: 'create', table: 'collections', fields: { name: 'c', position: 1, parentId: newId() } },
    ]);
    expect(hers.body.results[0].status).toBe('rejected');
    expect(shape(JSON.stringify(hers.body.results[0]))).toBe(shape(JSON.stringify(nobodys.body.results[0])));
  });

  it('her link URL is no duplicate in his workspace', async () => {
    const response = await bobPush([
      { op: 'create', table: 'cards', fields: linkCard(SECRET_URL.replace(SECRET, 'x')) },
    ]);
    expect(response.body.results[0].status).toBe('applied');
    const same = await bobPush([{ op: 'create', table: 'cards', fields: noteCard() }]);
    expect(same.body.results[0].status).toBe('applied');
  });

  it('a duplicate of his mutation on her record carries no record', async () => {
    const first = mutation(bob, { op: 'delete', table: 'cards', recordId: aliceCard });
    const send = () =>
      asBob('/api/sync/push', {
        method: 'POST',
        headers: { 'idempotency-key': newId() },
        body: { protocol: 1, clientId: bob.clientId, mutations: [first] },
      });
    await send();
    const again = await send();
    expect(again.body.results[0]).toEqual({ seq: first.seq, id: first.id, status: 'duplicate' });
  });

  it('her clientId is refused with client-forbidden', async () => {
    await alice.push([{ op: 'create', table: 'cards', fields: noteCard() }]);
    const response = await bobPush([{ op: 'create', table: 'cards', fields: noteCard() }], alice.clientId);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('client-forbidden');
  });

  it('pull, me and the token list show none of her data', async () => {
    const pull = await asBob('/api/sync/pull?cursor=0&limit=5000');
    expect(pull.body.changes.every((change: { workspaceId: string }) => change.workspaceId !== alice.workspaceId)).toBe(
      true,
    );
    await asBob('/api/auth/me');
    const tokens = await asBob('/api/auth/tokens');
    expect(tokens.body.items).toEqual([]);
  });

  it('her token cannot be deleted by him, like a random token id', async () => {
    const hers = await asBob(`/api/auth/tokens/${aliceToken}`, { method: 'DELETE' });
    const nobodys = await asBob(`/api/auth/tokens/${newId()}`, { method: 'DELETE' });
    expect(hers.status).toBe(404);
    expect(shape(hers.text)).toBe(shape(nobodys.text));
    expect((await alice.send('/api/auth/tokens').then(json)).items).toHaveLength(1);
  });

  it('her idempotency keys are not his: the same key and body executes for him', async () => {
    const key = 'shared-key';
    const body = (user: TestUser) => ({
      protocol: 1,
      clientId: user.clientId,
      mutations: [mutation(user, { op: 'create', table: 'cards', fields: noteCard() })],
    });
    await alice.send('/api/sync/push', { method: 'POST', headers: { 'idempotency-key': key }, body: body(alice) });
    const response = await bob.send('/api/sync/push', {
      method: 'POST',
      headers: { 'idempotency-key': key },
      body: body(bob),
    });
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    bodies.push(await response.text());
  });

  it('her records are untouched by all of the above', async () => {
    const card = await alice.send(`/api/cards/${aliceCard}`).then(json);
    expect(card).toMatchObject({ version: 1, deleted: false, fields: { title: SECRET } });
  });
});
