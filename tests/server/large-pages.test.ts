/**
 * Pages bounded by bytes, over real HTTP: an account with more large notes than one page holds
 * pages through pull and REST lists, each record exactly once, and no page over the budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, LIMITS, type Mutation } from '../../protocol/index.ts';
import { ApiClient, MutationBuilder, noteCard } from '../support/api-client.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { signUpWithWorkspace } from './accounts.ts';

/** About 400 KB of UTF-8: the most a card's content may hold. */
const LARGE_CONTENT = 'é'.repeat(200_000);
const NOTES = 12;
/** What a page adds around its envelopes: `{"protocol":1,"changes":[…],"cursor":…,"hasMore":true}`. */
const PAGE_WRAPPING = 100;

let server: ServerProcess;
let client: ApiClient;
let noteIds: string[];

beforeAll(async () => {
  server = await startServer();
  client = new ApiClient(server.url);
  const { workspaceId } = await signUpWithWorkspace(client);
  const builder = new MutationBuilder();
  const notes: Mutation[] = Array.from({ length: NOTES }, (_, i) =>
    builder.create('cards', workspaceId, noteCard({ title: `Large ${i}`, content: LARGE_CONTENT })),
  );
  noteIds = notes.map((note) => note.recordId);
  // Two per push: a push body is at most 1 MiB.
  for (let i = 0; i < NOTES; i += 2) {
    const pushed = await client.push(notes.slice(i, i + 2));
    expect(pushed.body.results.map((result) => result.status)).toEqual(['applied', 'applied']);
  }
});

afterAll(async () => {
  await server?.stop();
});

/** One page: its parsed body and its size on the wire. */
async function fetchPage(path: string): Promise<{ status: number; bytes: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(path, server.url), { headers: { cookie: client.cookieHeader() } });
  const text = await response.text();
  return { status: response.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) };
}

describe('pages of large records', () => {
  it('pull: pages stop at the byte budget; paging gets every record once', async () => {
    const seen: Envelope[] = [];
    let cursor = 0;
    let pages = 0;
    for (let hasMore = true; hasMore; pages++) {
      const page = await fetchPage(`/api/sync/pull?cursor=${cursor}&limit=${LIMITS.pullMaxLimit}`);
      expect(page.status).toBe(200);
      const changes = page.body.changes as Envelope[];
      expect(changes.length).toBeGreaterThan(0);
      if (changes.length > 1) expect(page.bytes).toBeLessThanOrEqual(LIMITS.pageBytes + PAGE_WRAPPING);
      seen.push(...changes);
      cursor = page.body.cursor as number;
      hasMore = page.body.hasMore as boolean;
    }
    expect(pages).toBeGreaterThan(1);
    const cards = seen.filter((change) => change.table === 'cards');
    expect(cards.map((card) => card.id).sort()).toEqual([...noteIds].sort());
    expect(new Set(seen.map((change) => `${change.table}/${change.id}`)).size).toBe(seen.length);
    expect(cards.every((card) => card.fields.content === LARGE_CONTENT)).toBe(true);
  });

  it('the test client pages through them as the app does, each answer checked', async () => {
    const { changes } = await client.pullAll(0, LIMITS.pullMaxLimit);
    expect(changes.filter((change) => change.table === 'cards')).toHaveLength(NOTES);
  });

  it('REST list: pages stop at the byte budget; paging gets every card once', async () => {
    const seen: string[] = [];
    let cursor = 0;
    let pages = 0;
    for (let hasMore = true; hasMore; pages++) {
      const page = await fetchPage(`/api/cards?cursor=${cursor}&limit=5000`);
      expect(page.status).toBe(200);
      const items = page.body.items as Envelope[];
      if (items.length > 1) expect(page.bytes).toBeLessThanOrEqual(LIMITS.pageBytes + PAGE_WRAPPING);
      seen.push(...items.map((item) => item.id));
      cursor = page.body.cursor as number;
      hasMore = page.body.hasMore as boolean;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen.sort()).toEqual([...noteIds].sort());
  });
});
