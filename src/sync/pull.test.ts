import { afterEach, describe, expect, it } from 'vitest';
import { type Envelope, LIMITS, PROBLEM, type PullResponse } from '../../protocol/index.ts';
import { FakeSyncServer } from './fake-sync-server.test-helper.ts';
import { createInProcessLock } from './lock.ts';
import { type PullDeps, type PullProgress, pullChanges } from './pull.ts';
import { openRecordedStore, type RecordedStore } from './recorded-store.test-helper.ts';
import type { Timers } from './timers.ts';

const WORKSPACE = '01900000-0000-7000-8000-000000000001';
const inertTimers: Timers = { setTimeout: () => 0, clearTimeout: () => {} };
/** What the last page of a pull also does, at the test clock's time (0). */
const LAST_PAGE = { syncedAt: '1970-01-01T00:00:00.000Z', counts: true };

function todo(index: number, version = 1): Omit<Envelope, 'seq'> {
  return {
    table: 'todos',
    id: `01900000-0000-7000-8000-${String(index).padStart(12, '0')}`,
    workspaceId: WORKSPACE,
    version,
    deleted: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fields: { text: `todo ${index} v${version}`, done: false, position: index },
  };
}

const opened: RecordedStore[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.dispose();
});

/** The pages the pull applied: their size, their cursor, and what else the transaction did (the last page). */
function pagesApplied(store: RecordedStore): unknown[][] {
  return store.calls
    .filter((call) => call.method === 'applyPullPage')
    .map(({ args: [page, options] }) => [
      (page as PullResponse).changes.length,
      (page as PullResponse).cursor,
      ...(options ? [options] : []),
    ]);
}

/** How many of the server's todos 1..`count` the store holds. */
async function storedTodos(store: RecordedStore, count: number): Promise<number> {
  const found = await Promise.all(Array.from({ length: count }, (_, index) => store.get('todos', todo(index + 1).id)));
  return found.filter((record) => record !== undefined).length;
}

async function setup(changes: number, overrides: Partial<PullDeps> = {}) {
  const store = await openRecordedStore();
  opened.push(store);
  const server = new FakeSyncServer();
  for (let index = 1; index <= changes; index++) server.addChange(todo(index));
  const progress: (PullProgress | null)[] = [];
  const deps: PullDeps = {
    store,
    fetch: server.fetch,
    now: () => 0,
    timers: inertTimers,
    isOnline: () => true,
    lock: createInProcessLock(),
    pageLimit: 2,
    onProgress: (value) => {
      progress.push(value);
    },
    ...overrides,
  };
  return { store, server, deps, progress };
}

describe('pullChanges', () => {
  describe('latency', () => {
    it('times the round trip of each page', async () => {
      const clock = { now: 0 };
      const { deps, server } = await setup(3);
      const slowFetch: typeof fetch = async (input, init) => {
        clock.now += 25;
        return server.fetch(input, init);
      };
      const result = await pullChanges({ ...deps, fetch: slowFetch, now: () => clock.now, pageLimit: 2 });
      expect(result.outcome).toBe('done');
      expect(result.latency).toHaveLength(2);
      for (const sample of result.latency) expect(sample.ms).toBe(25);
    });
  });

  describe('paging', () => {
    it('fills an empty store with the largest pages the server allows, then keeps to the default', async () => {
      const { deps, server } = await setup(3, { pageLimit: undefined });
      await pullChanges(deps);
      server.addChange(todo(4));
      await pullChanges(deps);
      expect(server.pullLimits).toEqual([LIMITS.pullMaxLimit, LIMITS.pullDefaultLimit]);
    });

    it('reads every page, storing the cursor with each', async () => {
      const { deps, server, store } = await setup(5);
      const result = await pullChanges(deps);
      expect(result).toMatchObject({ outcome: 'done', cursor: 5, fromElsewhere: 5 });
      expect(server.pullLog).toEqual([0, 2, 4]);
      expect(pagesApplied(store)).toEqual([
        [2, 2],
        [2, 4],
        [1, 5, LAST_PAGE],
      ]);
      expect(await store.list('todos')).toHaveLength(5);
    });

    it('ends on the counts read with its last page, which also stores the sync time', async () => {
      const { deps, store } = await setup(5);
      const result = await pullChanges(deps);
      expect(result.counts).toEqual(await store.counts());
      expect(result.counts).toMatchObject({ cursor: 5, lastSyncAt: LAST_PAGE.syncedAt });
      expect(store.methods()).not.toContain('setMeta');
    });

    it('reports no counts when it stops before its last page', async () => {
      const { deps, server } = await setup(5);
      server.pullFaults.push(null, { kind: 'status', status: 503 });
      expect(await pullChanges(deps)).toMatchObject({ outcome: 'failed', cursor: 2, counts: null });
    });

    it('reports initial-sync progress page by page, then clears it', async () => {
      const { deps, progress } = await setup(3);
      await pullChanges(deps);
      expect(progress).toEqual([{ received: 2, hasMore: true }, { received: 3, hasMore: false }, null]);
    });

    it('tells of each page as it is applied, an initial sync too', async () => {
      const events: string[] = [];
      const { deps } = await setup(5, {
        onChanged: (changed) => events.push(`changed ${changed.length}`),
        onProgress: (progress) => {
          events.push(progress ? `received ${progress.received}` : 'ended');
        },
      });
      await pullChanges(deps);
      expect(events).toEqual([
        'changed 2',
        'received 2',
        'changed 2',
        'received 4',
        'changed 1',
        'received 5',
        'ended',
      ]);
    });

    it('does not report progress for an incremental pull', async () => {
      const { deps, store, progress } = await setup(3);
      await store.writeMeta('cursor', 2);
      await pullChanges(deps);
      expect(progress).toEqual([]);
    });
  });

  describe('pages cut short by the server (its byte budget)', () => {
    it('follows hasMore until the end, storing each change once', async () => {
      const { deps, server, store } = await setup(5, { pageLimit: undefined });
      server.maxPageChanges = 2;
      const result = await pullChanges(deps);
      expect(result).toMatchObject({ outcome: 'done', cursor: 5 });
      expect(server.pullLog).toEqual([0, 2, 4]);
      expect(server.pullLimits).toEqual(Array(3).fill(LIMITS.pullMaxLimit));
      expect(await storedTodos(store, 5)).toBe(5);
    });
  });

  describe('fetching ahead', () => {
    it('asks for the next page while it applies one', async () => {
      const { deps, server, store } = await setup(5);
      const askedBeforeApplying: number[][] = [];
      const applyPullPage = store.applyPullPage.bind(store);
      store.applyPullPage = async (page, options) => {
        // Let the fake server take any request already sent before looking at its log.
        await new Promise((resolve) => setTimeout(resolve, 0));
        askedBeforeApplying.push([...server.pullLog]);
        return applyPullPage(page, options);
      };
      expect(await pullChanges(deps)).toMatchObject({ outcome: 'done', cursor: 5 });
      expect(askedBeforeApplying).toEqual([
        [0, 2],
        [0, 2, 4],
        [0, 2, 4],
      ]);
      expect(server.pullLog).toEqual([0, 2, 4]);
    });

    it('asks again when the applied page leaves the store at another cursor than the page named', async () => {
      const { deps, server, store } = await setup(6);
      const applyPullPage = store.applyPullPage.bind(store);
      let first = true;
      store.applyPullPage = async (page, options) => {
        const applied = await applyPullPage(page, options);
        // As if the stored cursor had been further on already: the early answer (from 2) is stale.
        if (first) applied.cursor = 3;
        first = false;
        return applied;
      };
      expect(await pullChanges(deps)).toMatchObject({ outcome: 'done', cursor: 6 });
      expect(server.pullLog).toEqual([0, 2, 3, 5]);
      expect(pagesApplied(store)).toEqual([
        [2, 2],
        [2, 5],
        [1, 6, LAST_PAGE],
      ]);
    });
  });

  describe('resuming', () => {
    it('continues from the cursor of the last applied page after an interruption', async () => {
      const { deps, server, store } = await setup(5);
      // The first page arrives; the second request fails on the network.
      const failing: typeof fetch = async (input, init) => {
        if (server.pullLog.length === 1) {
          server.pullLog.push(-1);
          throw new TypeError('Failed to fetch');
        }
        return server.fetch(input, init);
      };
      const first = await pullChanges({ ...deps, fetch: failing });
      expect(first).toMatchObject({ outcome: 'failed', cursor: 2 });
      expect(await store.meta('cursor')).toBe(2);
      const second = await pullChanges(deps);
      expect(second).toMatchObject({ outcome: 'done', cursor: 5 });
      expect(server.pullLog).toEqual([0, -1, 2, 4]);
    });
  });

  describe('410 cursor-expired', () => {
    it('resyncs from 0, keeps records with pending edits and drops the ones the snapshot lacks', async () => {
      const { deps, server, store, progress } = await setup(3);
      // Local state: a record the server purged since it was pulled, and a new local record with a pending edit.
      const purged = todo(99);
      await store.applyPullPage({
        protocol: 1,
        changes: [{ ...purged, seq: 1 }],
        cursor: 1,
        hasMore: false,
        horizon: 0,
      });
      store.calls.length = 0;
      server.purgeHorizon = 2;
      const mine = await store.commit({
        op: 'create',
        table: 'todos',
        workspaceId: WORKSPACE,
        fields: { text: 'mine', done: false, position: 0 },
      });
      const result = await pullChanges(deps);
      expect(result.outcome).toBe('done');
      expect(server.pullLog).toEqual([1, 0, 2]);
      expect(store.methods().filter((method) => method.endsWith('Resync'))).toEqual(['beginResync', 'finishResync']);
      expect(await store.get('todos', purged.id)).toBeUndefined();
      expect(await store.get('todos', mine.id)).toBeDefined();
      expect((await store.outbox()).size).toBe(1);
      expect(result.changed).toContainEqual({ table: 'todos', id: purged.id });
      expect(progress.at(-1)).toBeNull();
      expect(progress[0]).toEqual({ received: 2, hasMore: true });
    });
  });

  describe('paging below the purge horizon', () => {
    it('pages a first sync through cursors below the horizon without a resync', async () => {
      const { deps, server, store } = await setup(6);
      // Tombstones up to seq 4 were purged before this device ever pulled.
      server.purgeHorizon = 4;
      const result = await pullChanges(deps);
      expect(result).toMatchObject({ outcome: 'done', cursor: 6 });
      expect(server.pullLog).toEqual([0, 2, 4]);
      expect(store.methods()).not.toContain('beginResync');
      expect(await store.list('todos')).toHaveLength(6);
    });

    it('resumes an interrupted first sync under the same horizon', async () => {
      const { deps, server, store } = await setup(6);
      server.purgeHorizon = 4;
      server.pullFaults.push(null, { kind: 'status', status: 503 });
      expect(await pullChanges(deps)).toMatchObject({ outcome: 'failed', cursor: 2 });
      expect(await pullChanges(deps)).toMatchObject({ outcome: 'done', cursor: 6 });
      expect(server.pullLog).toEqual([0, 2, 2, 4]);
      expect(store.methods()).not.toContain('beginResync');
    });

    it('resyncs when a purge raised the horizon past the cursor since the last page', async () => {
      const { deps, server, store } = await setup(6);
      server.purgeHorizon = 1;
      server.pullFaults.push(null, { kind: 'status', status: 503 });
      expect(await pullChanges(deps)).toMatchObject({ outcome: 'failed', cursor: 2 });
      server.purgeHorizon = 4;
      expect(await pullChanges(deps)).toMatchObject({ outcome: 'done', cursor: 6 });
      expect(server.pullLog).toEqual([0, 2, 2, 0, 2, 4]);
      expect(store.methods().filter((method) => method.endsWith('Resync'))).toEqual(['beginResync', 'finishResync']);
    });
  });

  describe('409 cursor-ahead', () => {
    it('resyncs from 0', async () => {
      const { deps, server, store } = await setup(2);
      await store.writeMeta('cursor', 50);
      const result = await pullChanges(deps);
      expect(result).toMatchObject({ outcome: 'done', cursor: 2 });
      expect(server.pullLog).toEqual([50, 0]);
    });

    it('gives up for now when the resync is refused too', async () => {
      const { deps, server, store } = await setup(2);
      await store.writeMeta('cursor', 50);
      server.pullFaults.push({ kind: 'status', status: 409, code: PROBLEM.cursorAhead });
      server.pullFaults.push({ kind: 'status', status: 410, code: PROBLEM.cursorExpired });
      const result = await pullChanges(deps);
      expect(result).toMatchObject({ outcome: 'failed', error: 'resync refused: cursor-expired' });
    });
  });

  describe('failures', () => {
    it('pauses on 401', async () => {
      const { deps, server } = await setup(1);
      server.pullFaults.push({ kind: 'status', status: 401, code: PROBLEM.unauthorized });
      expect((await pullChanges(deps)).outcome).toBe('paused');
    });

    it('fails softly on 503 with Retry-After', async () => {
      const { deps, server } = await setup(1);
      server.pullFaults.push({ kind: 'status', status: 503, headers: { 'retry-after': '3' } });
      expect(await pullChanges(deps)).toMatchObject({ outcome: 'failed', retryAfterMs: 3_000 });
    });

    it('does not ask while offline', async () => {
      const { deps, server } = await setup(1, { isOnline: () => false });
      expect((await pullChanges(deps)).outcome).toBe('offline');
      expect(server.pullLog).toEqual([]);
    });

    it('stores nothing of a page that is not what the protocol promises, and fails to be tried again', async () => {
      const tampered: ((page: PullResponse) => unknown)[] = [
        (page) => ({ ...page, changes: [...page.changes].reverse() }),
        (page) => ({ ...page, changes: page.changes.map(({ fields: _, ...change }) => change) }),
        (page) => ({ ...page, cursor: 0 }),
        (page) => ({ ...page, hasMore: 'yes' }),
      ];
      for (const answer of tampered) {
        const { deps, server, store } = await setup(2);
        server.pullFaults.push({ kind: 'tamper-page', answer });
        const result = await pullChanges(deps);
        expect(result).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^invalid pull answer: /) });
        expect(await storedTodos(store, 2)).toBe(0);
        expect(await store.meta('cursor')).toBeUndefined();
        expect(await pullChanges(deps)).toMatchObject({ outcome: 'done', cursor: 2 });
      }
    });
  });
});
