import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../protocol/index.ts';
import { createTestDatabase, dropTestDatabase } from '../../test-support/pg-database.ts';
import { linkCard } from '../../test-support/test-server.ts';
import { openPostgresStore, type PostgresStore } from '../postgres-store.ts';

const JOBS = 12;

let url: string;
let stores: PostgresStore[];
let userId: string;

beforeAll(async () => {
  url = await createTestDatabase();
  stores = [await openPostgresStore(url, { poolSize: 3 }), await openPostgresStore(url, { poolSize: 3 })];
  const account = await stores[0].createUser({ email: 'jobs@example.com', passwordHash: 'h', workspaceName: 'Home' });
  userId = account.user.id;
  const workspaceId = account.workspaces[0].id;
  const mutations = Array.from({ length: JOBS }, (_, i) => ({
    id: newId(),
    seq: i + 1,
    op: 'create' as const,
    table: 'cards',
    recordId: newId(),
    workspaceId,
    baseVersion: 0,
    fields: linkCard(`https://site-${i}.example/`),
    clientTime: new Date().toISOString(),
  }));
  expect((await stores[0].push(userId, { protocol: 1, clientId: newId(), mutations })).status).toBe(200);
});

afterAll(async () => {
  await Promise.all((stores ?? []).map((store) => store.close()));
  if (url) await dropTestDatabase(url);
});

const claim = (store: PostgresStore, now: number) =>
  store.claimPreviewJobs({
    now,
    leaseMs: 60_000,
    limit: JOBS,
    limits: { globalConcurrency: JOBS, perUserConcurrency: JOBS, hostGapMs: 0 },
  });

describe('the preview queue on PostgreSQL', () => {
  it('lets a runner of another process claim past the jobs one holds, never taking them twice', async () => {
    const now = Date.now() + 1000;
    const [row] = await stores[0].sql<{ count: number }[]>`SELECT count(*)::int AS count FROM preview_jobs`;
    expect(row.count).toBe(JOBS);
    // A claim in flight in one process holds four rows; the other process's claim skips them.
    await stores[0].sql.begin(async (tx) => {
      const held = await tx<{ card_id: string }[]>`
        SELECT card_id FROM preview_jobs ORDER BY run_at, card_id LIMIT 4 FOR UPDATE`;
      const taken = await claim(stores[1], now);
      expect(taken).toHaveLength(JOBS - 4);
      expect(taken.some((job) => held.some((h) => h.card_id === job.cardId))).toBe(false);
    });
    const rest = await claim(stores[0], now);
    expect(rest).toHaveLength(4);
    // Leased now, by one runner or the other: nothing is due twice.
    expect(await claim(stores[1], now)).toEqual([]);
  });
});
