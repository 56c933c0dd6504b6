import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../protocol/index.ts';
import type { ClaimLimits } from '../../previews/preview-policy.ts';
import { createTestDatabase, dropTestDatabase } from '../../test-support/pg-database.ts';
import { linkCard } from '../../test-support/test-server.ts';
import { openPostgresStore, type PostgresStore } from '../postgres-store.ts';

const LIMITS: ClaimLimits = { globalConcurrency: 4, perUserConcurrency: 2, hostGapMs: 1000 };

let url: string;
/** Two stores on one database, each with its own connections: two server processes, as far as the database can tell. */
let stores: PostgresStore[];

beforeAll(async () => {
  url = await createTestDatabase();
  stores = [await openPostgresStore(url, { poolSize: 4 }), await openPostgresStore(url, { poolSize: 4 })];
});

afterAll(async () => {
  await Promise.all((stores ?? []).map((store) => store.close()));
  if (url) await dropTestDatabase(url);
});

/** A new person with a link card (so a queued preview job) per URL. */
async function personWithLinks(urls: string[]): Promise<string> {
  const account = await stores[0].createUser({
    email: `limits-${newId()}@example.com`,
    passwordHash: 'h',
    workspaceName: 'Home',
  });
  const mutations = urls.map((link, i) => ({
    id: newId(),
    seq: i + 1,
    op: 'create' as const,
    table: 'cards',
    recordId: newId(),
    workspaceId: account.workspaces[0].id,
    baseVersion: 0,
    fields: linkCard(link),
    clientTime: new Date().toISOString(),
  }));
  expect((await stores[0].push(account.user.id, { protocol: 1, clientId: newId(), mutations })).status).toBe(200);
  return account.user.id;
}

const claimOne = (store: PostgresStore, now: number) =>
  store.claimPreviewJobs({ now, leaseMs: 60_000, limit: 1, limits: LIMITS });

async function settleAll(): Promise<void> {
  await stores[0].sql`DELETE FROM preview_jobs`;
}

describe('preview limits across processes on PostgreSQL', () => {
  it('holds one person to their share when both processes claim at once', async () => {
    await personWithLinks(Array.from({ length: 8 }, (_, i) => `https://share-${i}.example/`));
    const now = Date.now() + 1000;
    // Eight claims at once, four from each process: each alone would allow this person two.
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimOne(stores[i % 2], now)));
    expect(claims.flat()).toHaveLength(LIMITS.perUserConcurrency);
    await settleAll();
  });

  it('holds the whole server to its limit over both processes', async () => {
    for (let person = 0; person < 4; person++) {
      await personWithLinks([`https://all-${person}-a.example/`, `https://all-${person}-b.example/`]);
    }
    const now = Date.now() + 1000;
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimOne(stores[i % 2], now)));
    expect(claims.flat()).toHaveLength(LIMITS.globalConcurrency);
    await settleAll();
  });

  it('leaves a host alone for its gap after either process fetched from it', async () => {
    await personWithLinks(['https://polite.example/one']);
    await personWithLinks(['https://polite.example/two']);
    const now = Date.now() + 1000;
    const [first] = await claimOne(stores[0], now);
    expect(first.host).toBe('polite.example');
    // The first fetch finished at once: the host is free, but its gap is not over.
    await stores[0].sql`DELETE FROM preview_jobs WHERE card_id = ${first.cardId}`;
    expect(await claimOne(stores[1], now + LIMITS.hostGapMs - 1)).toEqual([]);
    const [second] = await claimOne(stores[1], now + LIMITS.hostGapMs);
    expect(second.host).toBe('polite.example');
    expect(second.cardId).not.toBe(first.cardId);
    await settleAll();
  });
});
