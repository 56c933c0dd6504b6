import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../protocol/index.ts';
import {
  json,
  mutation,
  noteCard,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from './test-support/test-server.ts';

let server: TestServer;
let user: TestUser;
afterEach(() => server.close());

async function start(env: Record<string, string>) {
  server = startTestServer(env);
  user = await signUp(server);
}

/** Sends a push and answers the raw response (user.push throws on anything but 200). */
function rawPush(drafts: Parameters<TestUser['push']>[0]) {
  const mutations = drafts.map((draft) => mutation(user, draft));
  return user.send('/api/sync/push', {
    method: 'POST',
    headers: { 'idempotency-key': newId() },
    body: { protocol: 1, clientId: user.clientId, mutations },
  });
}

const note = (content: string) => ({ op: 'create' as const, table: 'cards', fields: noteCard({ content }) });

async function cardCount(): Promise<number> {
  const pull = await json(await user.send('/api/sync/pull?cursor=0'));
  return pull.changes.filter((change: { table: string }) => change.table === 'cards').length;
}

describe('write rate limit', () => {
  it('answers rapid REST writes past the limit 429 rate-limited with Retry-After, applying none of them', async () => {
    await start({ BURROW_WRITE_LIMIT: '100' });
    const created = await json(
      await user.send('/api/cards', {
        method: 'POST',
        headers: { 'idempotency-key': newId() },
        body: { workspaceId: user.workspaceId, fields: noteCard() },
      }),
    );
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 300; i++) {
      const response = await user.send(`/api/cards/${created.id}`, {
        method: 'PATCH',
        headers: { 'idempotency-key': newId() },
        body: { fields: { title: `Edit ${i}` } },
      });
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(99);
    expect(statuses.filter((status) => status === 429)).toHaveLength(201);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await json(limited!)).toMatchObject({ status: 429, code: 'rate-limited' });
    const stored = await json(await user.send(`/api/cards/${created.id}`));
    expect(stored).toMatchObject({ version: 100, fields: { title: 'Edit 98' } });
  });

  it('counts the mutations of a push, and refuses a push past the limit whole', async () => {
    await start({ BURROW_WRITE_LIMIT: '10' });
    expect((await rawPush(Array.from({ length: 8 }, (_, i) => note(`n${i}`)))).status).toBe(200);
    const refused = await rawPush(Array.from({ length: 5 }, (_, i) => note(`m${i}`)));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await cardCount()).toBe(8);
  });

  it('refuses a push past the limit before reading its body: a malformed one is 429, not 400', async () => {
    await start({ BURROW_WRITE_LIMIT: '5' });
    expect((await rawPush(Array.from({ length: 5 }, (_, i) => note(`n${i}`)))).status).toBe(200);
    const refused = await user.send('/api/sync/push', {
      method: 'POST',
      headers: { 'idempotency-key': newId(), 'content-type': 'application/json' },
      body: '{"protocol": 1, "mutations": [',
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('lets a push larger than the whole limit through when the window starts empty', async () => {
    await start({ BURROW_WRITE_LIMIT: '5' });
    expect((await rawPush(Array.from({ length: 8 }, (_, i) => note(`n${i}`)))).status).toBe(200);
    expect(await cardCount()).toBe(8);
  });
});

describe('storage quota', () => {
  const KIB = 'x'.repeat(1024);

  it('rejects a push mutation that would pass the quota as quota-exceeded, applying the rest', async () => {
    await start({ BURROW_QUOTA_BYTES: '3000' });
    const first = note(KIB);
    const response = await user.push([first, note(KIB), note(KIB)]);
    expect(response.results.map((result) => result.status)).toEqual(['applied', 'applied', 'rejected']);
    const rejected = response.results[2];
    expect(rejected.status === 'rejected' && rejected.error).toMatchObject({ status: 413, code: 'quota-exceeded' });
    expect(await cardCount()).toBe(2);
  });

  it('always lets changes through that do not grow the stored fields: deletes, restores, shorter texts', async () => {
    await start({ BURROW_QUOTA_BYTES: '2500' });
    const [a, b] = [{ id: newId() }, { id: newId() }];
    await user.push([
      { ...note(KIB), recordId: a.id },
      { ...note(KIB), recordId: b.id },
    ]);
    expect((await user.push([note(KIB)])).results[0].status).toBe('rejected');
    const tidy = await user.push([
      { op: 'delete', table: 'cards', recordId: a.id, baseVersion: 1 },
      { op: 'restore', table: 'cards', recordId: a.id, baseVersion: 2 },
      { op: 'update', table: 'cards', recordId: b.id, baseVersion: 1, fields: { content: 'short now' } },
    ]);
    expect(tidy.results.map((result) => result.status)).toEqual(['applied', 'applied', 'applied']);
    expect((await user.push([note('x'.repeat(500))])).results[0].status).toBe('applied');
  });

  it('answers a REST write past the quota 413 quota-exceeded, changing nothing', async () => {
    await start({ BURROW_QUOTA_BYTES: '1500' });
    const create = (content: string) =>
      user.send('/api/cards', {
        method: 'POST',
        headers: { 'idempotency-key': newId() },
        body: { workspaceId: user.workspaceId, fields: noteCard({ content }) },
      });
    expect((await create(KIB)).status).toBe(201);
    const refused = await create(KIB);
    expect(refused.status).toBe(413);
    expect(await json(refused)).toMatchObject({ code: 'quota-exceeded', detail: expect.stringMatching(/bytes/) });
    expect(await cardCount()).toBe(1);
  });

  it('gives room back when tombstones are purged', async () => {
    await start({ BURROW_QUOTA_BYTES: '1500' });
    const id = newId();
    await user.push([{ ...note(KIB), recordId: id }]);
    await user.push([{ op: 'delete', table: 'cards', recordId: id, baseVersion: 1 }]);
    expect((await user.push([note(KIB)])).results[0].status).toBe('rejected');
    await server.store.purgeTombstones(new Date(Date.now() + 1000).toISOString());
    expect((await user.push([note(KIB)])).results[0].status).toBe('applied');
  });
});
