/** Test harness: a real app on a real SQLite file in a temp dir, driven through `app.request()`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  assertPullResponse,
  assertPushResponse,
  type Envelope,
  type Mutation,
  newId,
  type PushResponse,
} from '../../protocol/index.ts';
import { createApp } from '../app.ts';
import { loadConfig, type ServerConfig } from '../config.ts';
import { PokeHub } from '../events/poke-hub.ts';
import { silentLogger } from '../logger.ts';
import { openSqliteStore, type SqliteStoreOptions } from '../storage/sqlite-store.ts';
import type { Store } from '../storage/store.ts';

export const ORIGIN = 'http://burrow.test';

export interface TestServer {
  store: Store;
  config: ServerConfig;
  hub: PokeHub;
  dir: string;
  request(pathname: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** A fresh server; `env` sets knobs as the environment would. Close it in afterEach. */
export function startTestServer(env: Record<string, string> = {}, storeOptions: SqliteStoreOptions = {}): TestServer {
  const dir = mkdtempSync(path.join(tmpdir(), 'burrow-server-'));
  const config = {
    ...loadConfig(['--data-dir', dir], {
      BURROW_LOG: 'silent',
      BURROW_SCRYPT_COST: '1024',
      // Tests sign up many accounts from one address (app.request has no socket).
      BURROW_SIGNUP_LIMIT: '100000',
      ...env,
    }),
    distDir: path.join(dir, 'dist'),
  };
  const store = openSqliteStore(path.join(dir, 'burrow.sqlite'), { quotaBytes: config.quotaBytes, ...storeOptions });
  const hub = new PokeHub(store, config);
  const app = createApp({ store, config, logger: silentLogger, hub });
  return {
    store,
    config,
    hub,
    dir,
    request: async (pathname, init) => {
      const response = await app.request(new URL(pathname, ORIGIN).href, init);
      await checkSyncAnswer(pathname, init, response);
      return response;
    },
    close: async () => {
      hub.closeAll();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a 200 answer of push or pull through the checks the client runs (`protocol/answer-checks.ts`),
 * so every server test also proves its answers are what the client accepts.
 */
async function checkSyncAnswer(pathname: string, init: RequestInit | undefined, response: Response): Promise<void> {
  const route = new URL(pathname, ORIGIN).pathname;
  const method = init?.method ?? 'GET';
  if (response.status !== 200) return;
  try {
    if (method === 'POST' && route === '/api/sync/push') {
      assertPushResponse(await response.clone().json(), JSON.parse(String(init?.body)));
    }
    if (method === 'GET' && route === '/api/sync/pull') assertPullResponse(await response.clone().json());
  } catch (error) {
    throw new Error(`${method} ${route} answered 200 with what a client refuses`, { cause: error });
  }
}

/** A signed-in user: their cookie, id and default workspace, with helpers that send as them. */
export interface TestUser {
  id: string;
  email: string;
  cookie: string;
  workspaceId: string;
  clientId: string;
  /** Sends with the session cookie (and a same-origin Origin on writes). */
  send(
    pathname: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Pushes mutations as this user's client with seqs continuing from the last push. */
  push(mutations: MutationDraft[], options?: { key?: string; clientId?: string }): Promise<PushResponse>;
  nextSeq: number;
}

export type MutationDraft = Partial<Mutation> & Pick<Mutation, 'op' | 'table'>;

let emailCounter = 0;

export function jsonInit(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

export async function signUp(server: TestServer, email = `user${++emailCounter}@example.com`): Promise<TestUser> {
  const response = await server.request('/api/auth/signup', jsonInit('POST', { email, password: 'correct horse' }));
  if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get('set-cookie')!.split(';')[0];
  const account = (await response.json()) as { user: { id: string }; workspaces: Envelope[] };
  const user: TestUser = {
    id: account.user.id,
    email,
    cookie,
    workspaceId: account.workspaces[0].id,
    clientId: newId(),
    nextSeq: 1,
    send: (pathname, init = {}) => {
      const method = init.method ?? 'GET';
      const headers: Record<string, string> = { cookie, ...init.headers };
      if (init.body !== undefined) headers['content-type'] ??= 'application/json';
      return server.request(pathname, {
        method,
        headers,
        body:
          init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
      });
    },
    push: async (drafts, options = {}) => {
      const mutations = drafts.map((draft) => mutation(user, draft));
      const response = await user.send('/api/sync/push', {
        method: 'POST',
        headers: { 'idempotency-key': options.key ?? newId() },
        body: { protocol: 1, clientId: options.clientId ?? user.clientId, mutations },
      });
      if (response.status !== 200) throw new Error(`push failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as PushResponse;
    },
  };
  return user;
}

/** A whole mutation from a draft: seq from the user's counter, fresh ids, the user's workspace. */
export function mutation(user: TestUser, draft: MutationDraft): Mutation {
  return {
    seq: draft.seq ?? user.nextSeq++,
    id: draft.id ?? newId(),
    recordId: draft.recordId ?? newId(),
    workspaceId: draft.workspaceId ?? user.workspaceId,
    baseVersion: draft.baseVersion ?? 0,
    clientTime: draft.clientTime ?? new Date().toISOString(),
    ...draft,
  } as Mutation;
}

export const noteCard = (overrides: Record<string, unknown> = {}) => ({
  kind: 'note',
  title: 'A note',
  content: 'Body',
  tags: [],
  collectionIds: [],
  pinned: false,
  ...overrides,
});

export const linkCard = (url: string, overrides: Record<string, unknown> = {}) =>
  noteCard({ kind: 'link', url, title: 'A link', ...overrides });

/** A response body as loosely typed JSON, for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON.
export type LooseJson = any;

export async function json(response: Response): Promise<LooseJson> {
  return response.json();
}
