/**
 * Large pages are read in slices on SQLite: other requests run between slices, and a record
 * changed meanwhile comes once, in a later page, never twice and never lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Envelope, newId, type PullResponse } from '../../../protocol/index.ts';
import {
  type MutationDraft,
  mutation,
  noteCard,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../../test-support/test-server.ts';
import type { Store } from '../store.ts';

/** 300 KB of UTF-8 (content takes 200,000 characters at most): a slice (512 KiB) holds two. */
const LARGE = 'é'.repeat(150_000);
const CARDS = 8;

let server: TestServer;
let store: Store;
let user: TestUser;
let userId: string;

beforeEach(async () => {
  server = startTestServer();
  store = server.store;
  user = await signUp(server);
  userId = user.id;
});
afterEach(() => server.close());

/** Pushed to the store itself, so it lands exactly where the test awaits it. */
async function push(drafts: MutationDraft[]): Promise<void> {
  const mutations = drafts.map((draft) => mutation(user, draft));
  const answer = await store.push(userId, { protocol: 1, clientId: user.clientId, mutations });
  expect(answer.status).toBe(200);
}

const update = (recordId: string, fields: Record<string, unknown>): MutationDraft => ({
  op: 'update',
  table: 'cards',
  recordId,
  baseVersion: 1,
  fields,
});

async function createLargeCards(): Promise<string[]> {
  const ids = Array.from({ length: CARDS }, () => newId());
  await push(
    ids.map((recordId, index) => ({
      op: 'create',
      table: 'cards',
      recordId,
      fields: noteCard({ title: `n${index}`, content: LARGE }),
    })),
  );
  return ids;
}

async function pull(cursor: number): Promise<PullResponse> {
  return JSON.parse((await store.pull(userId, cursor, 5000)).toString()) as PullResponse;
}

const cardsOf = (page: PullResponse) => page.changes.filter((change: Envelope) => change.table === 'cards');

describe('a large pull page on SQLite', () => {
  it('lets other work run while it is read', async () => {
    await createLargeCards();
    const order: string[] = [];
    const pulling = store.pull(userId, 0, 5000).then(() => order.push('pull'));
    setImmediate(() => order.push('other'));
    await pulling;
    expect(order).toEqual(['other', 'pull']);
  });

  it('holds each record once, and a record changed while it is read comes in the next page', async () => {
    const ids = await createLargeCards();
    const pulling = pull(0);
    // Lands between slices: the first slice is read before `pull` returns its promise.
    const last = ids[CARDS - 1];
    await push([update(last, { title: 'changed' })]);
    const first = await pulling;
    const firstIds = cardsOf(first).map((card) => card.id);
    expect(new Set(firstIds).size).toBe(firstIds.length);
    expect(firstIds).toEqual(ids.slice(0, CARDS - 1));
    expect(first.hasMore).toBe(false);
    const next = await pull(first.cursor);
    expect(cardsOf(next).map((card) => [card.id, card.fields.title])).toEqual([[last, 'changed']]);
  });

  it('lists a table in slices the same way', async () => {
    const ids = await createLargeCards();
    const listing = store.listRecords(userId, 'cards', { cursor: 0, limit: 100, includeDeleted: false });
    await push([update(ids[0], { title: 'changed' })]);
    const page = JSON.parse((await listing).toString()) as { items: Envelope[]; cursor: number };
    expect(page.items.map((item) => item.id)).toEqual(ids);
    expect(page.items[0].fields.title).toBe('n0');
    const next = JSON.parse(
      (await store.listRecords(userId, 'cards', { cursor: page.cursor, limit: 100, includeDeleted: false })).toString(),
    ) as { items: Envelope[] };
    expect(next.items.map((item) => [item.id, item.fields.title])).toEqual([[ids[0], 'changed']]);
  });
});
