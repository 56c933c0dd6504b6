import { afterEach, describe, expect, it } from 'vitest';
import { json, noteCard, signUp, startTestServer, type TestServer, type TestUser } from './test-support/test-server.ts';

let server: TestServer;
afterEach(() => server.close());

/** A user with `count` notes of about 1 KB each. */
async function userWithNotes(count: number): Promise<TestUser> {
  const user = await signUp(server);
  await user.push(
    Array.from({ length: count }, (_, i) => ({
      op: 'create' as const,
      table: 'cards',
      fields: noteCard({ content: `${i} ${'x'.repeat(1000)}` }),
    })),
  );
  return user;
}

describe('read budget', () => {
  it('answers pulls past the budget 429 rate-limited with Retry-After, while other users go on', async () => {
    server = startTestServer({ BURROW_READ_LIMIT_BYTES: '20000', BURROW_READ_WINDOW_MS: '60000' });
    const heavy = await userWithNotes(30);
    const other = await userWithNotes(3);
    const first = await heavy.send('/api/sync/pull?cursor=0');
    expect(first.status).toBe(200);
    expect((await json(first)).changes.length).toBeGreaterThan(20);
    const refused = await heavy.send('/api/sync/pull?cursor=0');
    expect(refused.status).toBe(429);
    expect(await json(refused)).toMatchObject({ status: 429, code: 'rate-limited' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await heavy.send('/api/cards')).status).toBe(429);
    expect((await other.send('/api/sync/pull?cursor=0')).status).toBe(200);
  });

  it('counts REST list pages against the same budget', async () => {
    server = startTestServer({ BURROW_READ_LIMIT_BYTES: '20000' });
    const heavy = await userWithNotes(30);
    expect((await heavy.send('/api/cards?limit=5000')).status).toBe(200);
    expect((await heavy.send('/api/sync/pull?cursor=0')).status).toBe(429);
  });
});
