/** The real drain and the real store (on fake-indexeddb) against the real server through the fault proxy: exactly once under every fault. */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, newId } from '../../protocol/index.ts';
import type { LocalStore } from '../../src/store/types.ts';
import { ApiClient } from '../support/api-client.ts';
import { waitFor } from '../support/browser.ts';
import { type FaultProxy, type FaultRule, startFaultProxy } from '../support/fault-proxy.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';

// The store and the drain are typechecked with the page's and worker's libs (IndexedDB, Web
// Locks); Node's config has neither, so they are loaded by paths tsc does not follow and used
// through the narrow shapes below (a changed API still fails here, at run time).
const STORE_MODULE: string = '../../src/store/open-local-store.ts';
const DRAIN_MODULE: string = '../../src/sync/drain.ts';

interface DrainResult {
  outcome: 'empty' | 'offline' | 'retry-scheduled' | 'paused' | 'blocked';
}
interface DrainDeps {
  store: LocalStore;
  fetch: typeof fetch;
  baseUrl: string;
  now(): number;
  timers: { setTimeout(callback: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  timeoutMs: number;
  random(): number;
  isOnline(): boolean;
  force: boolean;
}
const { openLocalStore } = (await import(STORE_MODULE)) as { openLocalStore(name: string): Promise<LocalStore> };
const { drainOutbox } = (await import(DRAIN_MODULE)) as { drainOutbox(deps: DrainDeps): Promise<DrainResult> };
const timers: DrainDeps['timers'] = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How long one push may take before the drain counts it lost (short, so delay faults bite). */
const PUSH_TIMEOUT_MS = 1_000;
const CREATES = 60;
const UPDATE_ROUNDS = 3;

interface Account {
  client: ApiClient;
  workspaceId: string;
}

describe('drain under delivery faults', () => {
  let server: ServerProcess;
  let proxy: FaultProxy;
  const stores: LocalStore[] = [];

  beforeAll(async () => {
    server = await startServer();
    proxy = await startFaultProxy(server.url);
  });
  afterAll(async () => {
    for (const store of stores) store.close();
    await proxy?.close();
    await server?.stop();
  });

  async function newAccount(): Promise<Account> {
    const client = new ApiClient(server.url);
    const signUp = await client.signUp(`faults-${newId().slice(-12)}@example.test`, 'burrow-test-password');
    expect(signUp.status).toBe(201);
    return { client, workspaceId: signUp.body.workspaces[0].id };
  }

  async function newStore(): Promise<LocalStore> {
    const store = await openLocalStore(`delivery-faults-${newId()}`);
    stores.push(store);
    return store;
  }

  /**
   * Commits CREATES cards, then UPDATE_ROUNDS rounds of an update to each, round-robin, so no
   * two neighbouring outbox entries are of one record and none merge. Returns ids by index.
   */
  async function commitWorkload(store: LocalStore, workspaceId: string, label: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < CREATES; i++) {
      const fields = {
        kind: 'note',
        title: `${label} ${i} v0`,
        content: '',
        tags: [],
        collectionIds: [],
        pinned: false,
      };
      ids.push((await store.commit({ op: 'create', table: 'cards', workspaceId, fields })).id);
    }
    for (let round = 1; round <= UPDATE_ROUNDS; round++) {
      for (let i = 0; i < CREATES; i++) {
        await store.commit({ op: 'update', table: 'cards', id: ids[i], fields: { title: `${label} ${i} v${round}` } });
      }
    }
    expect((await store.pendingEntries()).length).toBe(CREATES * (1 + UPDATE_ROUNDS));
    return ids;
  }

  /** One drain as the worker runs it, through the proxy, with the account's session cookie. */
  function drainOnce(store: LocalStore, account: Account): Promise<DrainResult> {
    return drainOutbox({
      store,
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('cookie', account.client.cookieHeader());
        return fetch(input, { ...init, headers });
      },
      baseUrl: proxy.url,
      now: () => Date.now(),
      timers,
      timeoutMs: PUSH_TIMEOUT_MS,
      random: Math.random,
      isOnline: () => true,
      // As after "Sync now": a retry does not wait out its backoff (the faults are short).
      force: true,
    });
  }

  /** Drains until the outbox is empty; every other outcome is a fault the next drain retries. */
  async function drainUntilEmpty(store: LocalStore, account: Account): Promise<void> {
    await waitFor(async () => (await drainOnce(store, account)).outcome === 'empty', {
      timeoutMs: 90_000,
      intervalMs: 20,
      message: 'an empty outbox',
    });
  }

  /** Every card once, at version 1 + UPDATE_ROUNDS, with its last title; nothing left locally. */
  async function expectAppliedExactlyOnce(
    store: LocalStore,
    account: Account,
    ids: string[],
    label: string,
    /** Update rounds each card got; UPDATE_ROUNDS unless said otherwise. */
    roundsOf: (index: number) => number = () => UPDATE_ROUNDS,
  ) {
    const { changes } = await account.client.pullAll(0);
    const cards = new Map<string, Envelope>();
    for (const change of changes.filter((candidate) => candidate.table === 'cards')) {
      expect(cards.has(change.id)).toBe(false);
      cards.set(change.id, change);
    }
    expect(cards.size).toBe(CREATES);
    ids.forEach((id, i) => {
      const card = cards.get(id);
      expect({ version: card?.version, title: card?.fields.title, deleted: card?.deleted }).toEqual({
        version: 1 + roundsOf(i),
        title: `${label} ${i} v${roundsOf(i)}`,
        deleted: false,
      });
    });
    expect(await store.pendingEntries()).toEqual([]);
    expect(await store.failedEntries()).toEqual([]);
    expect(await store.conflictEntries()).toEqual([]);
  }

  const faults: [string, FaultRule[]][] = [
    [
      'responses dropped after the server committed',
      [{ method: 'POST', path: '/api/sync/push', action: { kind: 'drop-after-commit' }, times: 3 }],
    ],
    [
      '500s and 503s with Retry-After',
      [
        { method: 'POST', path: '/api/sync/push', action: { kind: 'status', status: 500 }, times: 2 },
        {
          method: 'POST',
          path: '/api/sync/push',
          action: { kind: 'status', status: 503, retryAfterSeconds: 1 },
          times: 2,
        },
      ],
    ],
    [
      'answers delayed past the client timeout',
      [
        {
          method: 'POST',
          path: '/api/sync/push',
          action: { kind: 'delay', ms: PUSH_TIMEOUT_MS * 2, at: 'response' },
          times: 2,
        },
      ],
    ],
    ['requests delivered twice', [{ method: 'POST', path: '/api/sync/push', action: { kind: 'duplicate' } }]],
  ];

  for (const [name, rules] of faults) {
    it(`applies every mutation exactly once with ${name}`, async () => {
      const account = await newAccount();
      const store = await newStore();
      const ids = await commitWorkload(store, account.workspaceId, name);
      for (const rule of rules) proxy.addRule(rule);
      const logStart = proxy.log.length;
      try {
        await drainUntilEmpty(store, account);
      } finally {
        proxy.clearRules();
      }
      // Each fault must have bitten.
      const injected = new Set(proxy.log.slice(logStart).map((entry) => entry.fault));
      for (const rule of rules) expect(injected).toContain(rule.action.kind);
      await expectAppliedExactlyOnce(store, account, ids, name);
    });
  }

  it('applies every mutation exactly once when the server is killed after committing a push and restarted', async () => {
    const account = await newAccount();
    const store = await newStore();
    const ids = await commitWorkload(store, account.workspaceId, 'killed');
    // The first push is committed and its answer lost; the server dies before the resend.
    proxy.addRule({ method: 'POST', path: '/api/sync/push', action: { kind: 'drop-after-commit' }, times: 1 });
    const logStart = proxy.log.length;
    const draining = drainOnce(store, account);
    await waitFor(() => proxy.log.slice(logStart).some((entry) => entry.upstreamStatus === 200), {
      message: 'a push committed by the server',
    });
    await server.kill();
    expect((await draining).outcome).toBe('retry-scheduled');
    expect((await drainOnce(store, account)).outcome).toBe('retry-scheduled');
    await server.restart();
    await drainUntilEmpty(store, account);
    await expectAppliedExactlyOnce(store, account, ids, 'killed');
  });

  it('applies a lost batch exactly once when new commits change the resent batch (new key, same seqs)', async () => {
    const account = await newAccount();
    const store = await newStore();
    const ids = await commitWorkload(store, account.workspaceId, 'regrown');
    proxy.addRule({ method: 'POST', path: '/api/sync/push', action: { kind: 'drop-after-commit' }, times: 1 });
    expect((await drainOnce(store, account)).outcome).toBe('retry-scheduled');
    // The resend carries these too, so its Idempotency-Key differs: only the server's seqs dedupe it.
    for (let i = 0; i < 20; i++) {
      const title = `regrown ${i} v${UPDATE_ROUNDS + 1}`;
      await store.commit({ op: 'update', table: 'cards', id: ids[i], fields: { title } });
    }
    await drainUntilEmpty(store, account);
    await expectAppliedExactlyOnce(store, account, ids, 'regrown', (i) => (i < 20 ? UPDATE_ROUNDS + 1 : UPDATE_ROUNDS));
  });
});
