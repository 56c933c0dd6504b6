/**
 * The bad-input harness: one app on a real SQLite file, two seeded users, a raw request sender,
 * and the checks every answer to bad input must pass (no 5xx, problem+json, nothing changed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type Envelope, PROBLEM, type TableName } from '../../protocol/index.ts';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { PokeHub } from '../../server/events/poke-hub.ts';
import { openSqliteStore } from '../../server/storage/sqlite-store.ts';
import { ApiClient, MutationBuilder } from '../support/api-client.ts';
import { signUpWithWorkspace, type TestAccount } from './accounts.ts';
import { validFields } from './bad-input-arbitraries.ts';

/** The origin the in-process app believes it serves. */
export const ORIGIN = 'http://127.0.0.1:8787';

/** One seeded user: their client (cookie jar), an API token, and one live record per table. */
export interface SeededUser {
  account: TestAccount;
  client: ApiClient;
  token: string;
  tokenId: string;
  /** One live record of each table, by table. */
  records: Record<TableName, Envelope>;
  /** A tombstone (a deleted card). */
  tombstone: Envelope;
}

export interface Harness {
  send(request: RawRequest): Promise<RawResponse>;
  alice: SeededUser;
  bob: SeededUser;
  /** The session cookie's name (e.g. `burrow_session`), for forging bad cookies. */
  cookieName: string;
  /** Everything a bad request must leave as it was. */
  snapshot(): Promise<unknown>;
  close(): Promise<void>;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Errors the server logged while answering (a stack trace's message, for a 5xx). */
  serverErrors: unknown[];
}

/** Opens a store on a temp SQLite file, builds the app, and seeds two users with data. */
export async function openHarness(): Promise<Harness> {
  // What the server logged at error level: shown beside a 5xx, where the cause is.
  const errors: unknown[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'burrow-bad-input-'));
  const store = openSqliteStore(join(dataDir, 'burrow.sqlite'));
  // A cheap KDF cost: signups are setup here, not what is under test.
  const config = {
    ...loadConfig(['--data-dir', dataDir], {
      BURROW_LOG: 'silent',
      BURROW_SCRYPT_COST: '1024',
      BURROW_SKIP_BUILD: '1',
    }),
    // No built PWA: every path outside /api is the server's own not-found.
    distDir: join(dataDir, 'dist'),
  };
  const hub = new PokeHub(store, config);
  const logger = {
    log: (level: string, message: string, data?: object) =>
      void (level === 'error' && errors.push({ message, ...data })),
  };
  const app = createApp({ store, config, hub, logger });
  const fetchApp = (input: string, init: RequestInit) => app.request(input, init);

  const alice = await seedUser(new ApiClient(ORIGIN, { fetch: fetchApp }));
  const bob = await seedUser(new ApiClient(ORIGIN, { fetch: fetchApp }));
  const cookieName = alice.client.cookieHeader().split('=')[0];

  async function snapshot() {
    const state = async (user: SeededUser) => ({
      changes: (await user.client.pullAll(0)).changes,
      me: (await user.client.me()).body,
      tokenStillWorks: (await user.client.request('GET', '/api/auth/me', bearer(user.token))).status,
    });
    return { alice: await state(alice), bob: await state(bob) };
  }

  return {
    async send({ method, path, headers = {}, body }) {
      errors.length = 0;
      const response = await app.request(`${ORIGIN}${path}`, { method, headers, body });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, serverErrors: [...errors] };
    },
    alice,
    bob,
    cookieName,
    snapshot,
    async close() {
      hub.closeAll();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function bearer(token: string) {
  return { anonymous: true, headers: { authorization: `Bearer ${token}` } };
}

async function seedUser(client: ApiClient): Promise<SeededUser> {
  const account = await signUpWithWorkspace(client);
  const created = await client.request<{ id: string; token: string }>('POST', '/api/auth/tokens', {
    body: { name: 'bad-input tests' },
  });
  if (created.status !== 201)
    throw new Error(`token creation answered ${created.status}: ${JSON.stringify(created.body)}`);

  const builder = new MutationBuilder();
  const tables: TableName[] = ['collections', 'cards', 'todos', 'events', 'viewSettings'];
  const creates = tables.map((table) =>
    builder.create(table, account.workspaceId, validFields(table, account.workspaceId)),
  );
  const doomed = builder.create('cards', account.workspaceId, validFields('cards', account.workspaceId));
  const pushed = await client.push([...creates, doomed]);
  const doomedRecord = pushed.body.results?.[creates.length];
  if (pushed.status !== 200 || doomedRecord?.status !== 'applied') {
    throw new Error(`seeding answered ${pushed.status}: ${JSON.stringify(pushed.body)}`);
  }
  const doomedCard = { id: doomed.recordId, workspaceId: account.workspaceId, version: doomedRecord.stamp.version };
  const deleted = await client.push([builder.delete('cards', doomedCard)]);
  if (deleted.body.results?.[0]?.status !== 'applied') {
    throw new Error(`seeding a tombstone answered ${JSON.stringify(deleted.body)}`);
  }

  const { changes } = await client.pullAll(0);
  const live = (table: TableName) => changes.find((change) => change.table === table && !change.deleted)!;
  const records = Object.fromEntries(
    (['workspaces', ...tables] as TableName[]).map((table) => [table, live(table)]),
  ) as Record<TableName, Envelope>;
  const tombstone = changes.find((change) => change.id === doomed.recordId)!;
  return { account, client, token: created.body.token, tokenId: created.body.id, records, tombstone };
}

const PROBLEM_CODES = new Set<string>(Object.values(PROBLEM));

/** Checks that an answer is not a server error, and that every 4xx is a well-formed problem. */
export function expectWellFormed(request: RawRequest, response: RawResponse): void {
  const where = `${request.method} ${request.path} → ${response.status} ${response.text.slice(0, 300)}`;
  expect(response.status, `${where}\nserver logged: ${JSON.stringify(response.serverErrors)}`).toBeLessThan(500);
  if (response.status < 400) return;
  expect(response.headers.get('content-type'), where).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(response.text) as Record<string, unknown>;
  expect(problem.status, where).toBe(response.status);
  expect(typeof problem.title, where).toBe('string');
  expect(typeof problem.type, where).toBe('string');
  expect(PROBLEM_CODES.has(problem.code as string), `${where}: code ${String(problem.code)}`).toBe(true);
  if (response.status === 429) expect(response.headers.get('retry-after'), where).toMatch(/^\d+$/);
}

/** Checks that an answer refused the request: a 4xx problem (with one of `statuses`, when given). */
export function expectRefused(request: RawRequest, response: RawResponse, statuses?: number[]): void {
  expectWellFormed(request, response);
  const where = `${request.method} ${request.path} → ${response.status} ${response.text.slice(0, 300)}`;
  expect(response.status, where).toBeGreaterThanOrEqual(400);
  if (statuses) expect(statuses, where).toContain(response.status);
}
