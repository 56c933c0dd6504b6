import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../protocol/index.ts';
import { createTestDatabase, dropTestDatabase } from '../../test-support/pg-database.ts';
import { noteCard } from '../../test-support/test-server.ts';
import { jsonAround, pageOf } from '../envelope-pages.ts';
import { openPostgresStore, type PostgresStore } from '../postgres-store.ts';
import { withinPageBudget } from './page-query.ts';
import { ENVELOPE_COLUMNS, envelopeBytes, type PgEnvelopeRow } from './record-rows.ts';

/** About 400 KB of UTF-8 per note. */
const LARGE_CONTENT = 'é'.repeat(200_000);
const NOTES = 12;
const BUDGET = 1_000_000;

let url: string;
let store: PostgresStore;
let userId: string;

beforeAll(async () => {
  url = await createTestDatabase();
  store = await openPostgresStore(url, { poolSize: 2 });
  const account = await store.createUser({ email: 'pages@example.com', passwordHash: 'h', workspaceName: 'Home' });
  userId = account.user.id;
  const workspaceId = account.workspaces[0].id;
  const mutations = Array.from({ length: NOTES }, (_, i) => ({
    id: newId(),
    seq: i + 1,
    op: 'create' as const,
    table: 'cards',
    recordId: newId(),
    workspaceId,
    baseVersion: 0,
    fields: noteCard({ title: `Large ${i}`, content: LARGE_CONTENT }),
    clientTime: new Date().toISOString(),
  }));
  await store.push(userId, { protocol: 1, clientId: newId(), mutations });
});

afterAll(async () => {
  await store?.close();
  if (url) await dropTestDatabase(url);
});

async function feedRows(cursor: number): Promise<PgEnvelopeRow[]> {
  const inner = `SELECT ${ENVELOPE_COLUMNS} FROM records WHERE owner_id = $1 AND seq > $2 ORDER BY seq LIMIT 5001`;
  const rows = await store.sql.unsafe(withinPageBudget(inner, '$3'), [userId, cursor, BUDGET] as never[]).values();
  return rows as unknown as PgEnvelopeRow[];
}

describe('page queries bounded by bytes', () => {
  it('answer the budget and two records at most, and the page built from them says more are left', async () => {
    const rows = await feedRows(0);
    const fieldBytes = rows.reduce((sum, row) => sum + Buffer.byteLength(row[8]), 0);
    // The workspace, two notes within the budget, and the two that tell where it stops.
    expect(rows.length).toBeLessThan(NOTES);
    expect(fieldBytes).toBeLessThanOrEqual(BUDGET + 2 * Buffer.byteLength(JSON.stringify(LARGE_CONTENT)) + 100);
    const page = pageOf(rows, envelopeBytes, 5000, BUDGET);
    expect(page.hasMore).toBe(true);
    expect(page.bytes).toBeLessThanOrEqual(BUDGET);
  });

  it('page through every record once', async () => {
    const seen: number[] = [];
    let cursor = 0;
    for (let hasMore = true; hasMore; ) {
      const page = pageOf(await feedRows(cursor), envelopeBytes, 5000, BUDGET);
      const seqs = (JSON.parse(jsonAround('[', page, ']').toString()) as { seq: number }[]).map(
        (envelope) => envelope.seq,
      );
      expect(seqs.length).toBeGreaterThan(0);
      seen.push(...seqs);
      cursor = page.last ?? cursor;
      hasMore = page.hasMore;
    }
    expect(seen).toHaveLength(NOTES + 1);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('send a record larger than the budget alone, and still say more are left', async () => {
    const rows = await store.sql
      .unsafe(withinPageBudget(`SELECT ${ENVELOPE_COLUMNS} FROM records WHERE owner_id = $1 AND seq > $2`, '$3'), [
        userId,
        1,
        100_000,
      ] as never[])
      .values();
    const page = pageOf(rows as unknown as PgEnvelopeRow[], envelopeBytes, 5000, 100_000);
    expect((JSON.parse(jsonAround('[', page, ']').toString()) as unknown[]).length).toBe(1);
    expect(page.hasMore).toBe(true);
  });
});
