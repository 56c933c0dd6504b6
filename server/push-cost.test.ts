import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, newId } from '../protocol/index.ts';
import {
  json,
  mutation,
  noteCard,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from './test-support/test-server.ts';

/** About 400 KB of UTF-8: the most a card's content may hold. */
const LARGE_CONTENT = 'é'.repeat(200_000);

let server: TestServer;
let user: TestUser;
beforeEach(async () => {
  server = startTestServer();
  user = await signUp(server);
});
afterEach(() => server.close());

/** `count` notes of about 400 KB, two per push (a push body is at most 1 MiB). */
async function largeNotes(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId());
  for (let i = 0; i < count; i += 2) {
    const fields = noteCard({ content: LARGE_CONTENT });
    await user.push(
      ids.slice(i, i + 2).map((recordId) => ({ op: 'create' as const, table: 'cards', recordId, fields })),
    );
  }
  return ids;
}

function pushRaw(mutations: ReturnType<typeof mutation>[]) {
  return user.send('/api/sync/push', {
    method: 'POST',
    headers: { 'idempotency-key': newId() },
    body: { protocol: 1, clientId: user.clientId, mutations },
  });
}

describe('the stored data one push may touch', () => {
  it('refuses whole with 413 a push over more large records than that, and applies none of it', async () => {
    const ids = await largeNotes(24);
    const renames = ids.map((recordId) =>
      mutation(user, { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'Renamed' } }),
    );
    const refused = await pushRaw(renames);
    expect(refused.status).toBe(413);
    expect(await json(refused)).toMatchObject({ code: 'too-large' });
    for (const id of ids) expect((await json(await user.send(`/api/cards/${id}`))).version).toBe(1);
    // Fewer at once, as the client's drain does on 413: each half fits, and is applied once.
    for (const half of [renames.slice(0, 6), renames.slice(6, 12), renames.slice(12, 18), renames.slice(18)]) {
      const response = await pushRaw(half);
      expect(response.status).toBe(200);
      expect((await json(response)).results.map((result: { status: string }) => result.status)).toEqual(
        half.map(() => 'applied'),
      );
    }
    for (const id of ids) expect(await json(await user.send(`/api/cards/${id}`))).toMatchObject({ version: 2 });
  });

  it('counts a record once however many mutations of the push touch it', async () => {
    const [recordId] = await largeNotes(1);
    const edits = Array.from({ length: LIMITS.maxMutationsPerPush }, (_, i) =>
      mutation(user, { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: `Edit ${i}` } }),
    );
    const response = await pushRaw(edits);
    expect(response.status).toBe(200);
    expect(await json(await user.send(`/api/cards/${recordId}`))).toMatchObject({
      version: LIMITS.maxMutationsPerPush + 1,
      fields: { title: `Edit ${LIMITS.maxMutationsPerPush - 1}`, content: LARGE_CONTENT },
    });
    // Written once at the end, the record still counts exactly in the storage the quota reads.
    const [[{ kept }], [{ actual }]] = await Promise.all([
      server.query<{ kept: number }>('SELECT storage_bytes AS kept FROM users WHERE id = ?', user.id),
      server.query<{ actual: number }>(
        'SELECT SUM(octet_length(fields)) AS actual FROM records WHERE owner_id = ?',
        user.id,
      ),
    ]);
    expect(kept).toBe(actual);
  });

  it('lets one mutation of the largest record through alone', async () => {
    expect(LIMITS.pushStoredBytes).toBeGreaterThan(4 * LIMITS.maxJsonBytes);
    const [recordId] = await largeNotes(1);
    const response = await pushRaw([
      mutation(user, {
        op: 'update',
        table: 'cards',
        recordId,
        baseVersion: 1,
        fields: { content: 'ü'.repeat(200_000) },
      }),
    ]);
    expect((await json(response)).results[0].status).toBe('applied');
  });
});
