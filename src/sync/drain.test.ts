import { afterEach, describe, expect, it } from 'vitest';
import { PROBLEM, type PushResponse } from '../../protocol/index.ts';
import { type DrainDeps, drainOutbox, GENTLE_BATCH_MUTATIONS, GENTLE_RESULTS_PER_TRANSACTION } from './drain.ts';
import { FakeSyncServer } from './fake-sync-server.test-helper.ts';
import { createInProcessLock } from './lock.ts';
import { openRecordedStore, type RecordedStore } from './recorded-store.test-helper.ts';
import type { Timers } from './timers.ts';

const WORKSPACE = '01900000-0000-7000-8000-000000000001';

const opened: RecordedStore[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.dispose();
});

/** The batches asked for (their size, and after which key: 0 for none), and the parts their results were stored in. */
function sizesAsked(store: RecordedStore): { taken: unknown[]; stored: unknown[] } {
  const asked = (method: string, pick: (args: unknown[]) => unknown) =>
    store.calls.filter((call) => call.method === method).map((call) => pick(call.args));
  return {
    taken: asked('nextBatch', (args) => [args[0], args[2] ?? 0]),
    stored: asked('applyPushResults', (args) => (args[2] as { perTransaction?: number }).perTransaction),
  };
}

/** The result statuses of each push response the drain stored. */
function storedStatuses(store: RecordedStore): string[][] {
  return store.calls
    .filter((call) => call.method === 'applyPushResults')
    .map((call) => (call.args[1] as PushResponse).results.map((result) => result.status));
}

/** Commits a todo, as the page does. */
function commitTodo(store: RecordedStore, text: string) {
  return store.commit({
    op: 'create',
    table: 'todos',
    workspaceId: WORKSPACE,
    fields: { text, done: false, position: 0 },
  });
}

/** Timers that fire on the next macrotask: only the timeout test ever lets one fire. */
const quickTimers: Timers = {
  setTimeout: (callback) => setTimeout(callback, 0),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
/** Makes the store's next `nextBatch` throw, as a closed database would. */
function failNextBatch(store: RecordedStore): void {
  const nextBatch = store.nextBatch;
  store.nextBatch = async () => {
    store.nextBatch = nextBatch;
    throw new Error('database closed');
  };
}

const inertTimers: Timers = { setTimeout: () => 0, clearTimeout: () => {} };

async function setup(count: number, overrides: Partial<DrainDeps> = {}) {
  const store = await openRecordedStore();
  opened.push(store);
  const server = new FakeSyncServer();
  const clock = { now: 1_000_000 };
  const deps: DrainDeps = {
    store,
    fetch: server.fetch,
    now: () => clock.now,
    random: () => 0.5,
    timers: inertTimers,
    isOnline: () => true,
    lock: createInProcessLock(),
    ...overrides,
  };
  const commits = Array.from({ length: count }, (_, index) => commitTodo(store, `todo ${index}`));
  return { store, server, clock, deps, ready: Promise.all(commits) };
}

describe('drainOutbox', () => {
  describe('an empty outbox', () => {
    it('sends nothing and reports empty', async () => {
      const { deps, server } = await setup(0);
      const result = await drainOutbox(deps);
      expect(result).toEqual({
        outcome: 'empty',
        acknowledged: 0,
        changed: [],
        serverCursor: 0,
        cursor: 0,
        counts: null,
        latency: [],
      });
      expect(server.pushLog).toEqual([]);
    });
  });

  describe('latency', () => {
    it('times the round trip of each push the server answered, not one that got no answer', async () => {
      const { deps, server, clock, ready } = await setup(3);
      await ready;
      server.pushFaults.push({ kind: 'network-error' });
      const slowFetch: typeof fetch = async (input, init) => {
        clock.now += 40;
        return server.fetch(input, init);
      };
      const failed = await drainOutbox({ ...deps, fetch: slowFetch });
      expect(failed.latency).toEqual([]);
      const delivered = await drainOutbox({ ...deps, fetch: slowFetch, force: true });
      expect(delivered.latency).toEqual([{ at: 1_000_080, ms: 40 }]);
    });
  });

  describe('a 200 answer', () => {
    it('pushes every entry, deletes each after its ack, and names the changed records', async () => {
      const { deps, server, store, ready } = await setup(3);
      await ready;
      const result = await drainOutbox(deps);
      expect(result.outcome).toBe('empty');
      expect(result.acknowledged).toBe(3);
      expect(result.changed).toHaveLength(3);
      expect((await store.outbox()).size).toBe(0);
      expect(server.appliedMutationIds).toHaveLength(3);
    });

    it('takes the whole outbox as a batch, sends it with <clientId>.<first>.<last> as the key, then applies the answer', async () => {
      const { deps, server, store, ready } = await setup(2);
      await ready;
      await drainOutbox(deps);
      const clientId = await store.meta('clientId');
      expect(server.pushLog.map((entry) => entry.key)).toEqual([`${clientId}.1.2`]);
      expect(store.methods().filter((method) => method !== 'commit')).toEqual(['nextBatch', 'applyPushResults']);
    });

    it('reads the counts it ends on with its last results, and only there', async () => {
      const { deps, store, ready } = await setup(1_100);
      await ready;
      const result = await drainOutbox({ ...deps, force: true });
      const asked = store.calls.filter((call) => call.method === 'applyPushResults').map((call) => call.args[2]);
      expect(asked).toEqual([{ counts: false }, { counts: false }, { counts: true }]);
      expect(result.counts).toEqual(await store.counts());
      expect(result.counts).toMatchObject({ pending: 0 });
    });

    it('reports no counts when it ends on anything but its last results', async () => {
      const { deps, server, store, ready } = await setup(1_100);
      await ready;
      server.pushFaults.push(null, { kind: 'status', status: 503 });
      const result = await drainOutbox({ ...deps, force: true });
      expect(result).toMatchObject({ outcome: 'retry-scheduled', acknowledged: 500, counts: null });
      expect((await store.outbox()).size).toBe(600);
    });

    it('sends in batches of at most 500 when forced', async () => {
      const { deps, server, ready } = await setup(1_100);
      await ready;
      await drainOutbox({ ...deps, force: true });
      expect(server.pushLog.map((entry) => entry.seqs.length)).toEqual([500, 500, 100]);
    });

    it('while gentle (the person writing) sends small batches, stores results in small parts, reads nothing ahead', async () => {
      const { deps, store, ready } = await setup(250);
      await ready;
      expect(await drainOutbox({ ...deps, gentle: () => true })).toMatchObject({ acknowledged: 250 });
      expect(sizesAsked(store)).toEqual({
        taken: Array(3).fill([GENTLE_BATCH_MUTATIONS, 0]),
        stored: Array(3).fill(GENTLE_RESULTS_PER_TRANSACTION),
      });
      store.calls.length = 0;
      const text = (index: number) => `later ${index}`;
      for (let i = 0; i < 1_600; i++) await commitTodo(store, text(i));
      expect(await drainOutbox({ ...deps, gentle: () => false })).toMatchObject({ acknowledged: 1_600 });
      // Else full batches, each after the first read ahead while the one before is in flight.
      expect(sizesAsked(store)).toEqual({
        taken: [[500, 0], ...Array(3).fill([500, expect.any(Number)])],
        stored: Array(4).fill(undefined),
      });
      expect(sizesAsked(store).taken[1]).not.toEqual([500, 0]);
    });
    it('while gentle, awaits `pause` before it takes each batch and hands it on for each part; else never', async () => {
      const { deps, store, ready } = await setup(150);
      await ready;
      const handed: unknown[] = [];
      const apply = store.applyPushResults.bind(store);
      store.applyPushResults = (batch, response, options) => {
        handed.push(options?.pause);
        return apply(batch, response, options);
      };
      const order: string[] = [];
      const methodsCalled = () => store.calls.splice(0).map((call) => call.method);
      const pause = async () => {
        order.push(...methodsCalled(), 'pause');
      };
      methodsCalled();
      await drainOutbox({ ...deps, gentle: () => true, pause });
      order.push(...methodsCalled());
      // The drain pauses before it takes each batch; the store, before each part of 10 results.
      const parts = (count: number) => Array(count).fill('pause');
      expect(order).toEqual([
        ...['pause', 'nextBatch', 'applyPushResults', ...parts(10)],
        ...['pause', 'nextBatch', 'applyPushResults', ...parts(5)],
      ]);
      expect(handed).toEqual([pause, pause]);

      handed.length = 0;
      await commitTodo(store, 'later');
      let paused = 0;
      const counted = async () => {
        paused++;
      };
      expect(await drainOutbox({ ...deps, gentle: () => false, pause: counted })).toMatchObject({ acknowledged: 1 });
      expect([paused, handed]).toEqual([0, [undefined]]);
    });
  });

  describe('transient failures', () => {
    it('records the failure on the head entry with backoff and keeps every entry', async () => {
      const { deps, server, store, ready } = await setup(2);
      await ready;
      server.pushFaults.push({ kind: 'status', status: 503 });
      const result = await drainOutbox(deps);
      expect(result).toMatchObject({
        outcome: 'retry-scheduled',
        lastError: 'HTTP 503 internal',
        nextAttemptAt: 1_000_500,
      });
      expect((await store.outbox()).size).toBe(2);
      expect((await store.outbox()).get(1)).toMatchObject({
        attempts: 1,
        lastError: 'HTTP 503 internal',
        nextAttemptAt: 1_000_500,
      });
    });

    it('honours Retry-After in seconds', async () => {
      const { deps, server, store, ready } = await setup(1);
      await ready;
      server.pushFaults.push({
        kind: 'status',
        status: 429,
        code: PROBLEM.rateLimited,
        headers: { 'retry-after': '30' },
      });
      const result = await drainOutbox(deps);
      expect(result).toMatchObject({ outcome: 'retry-scheduled', nextAttemptAt: 1_030_000 });
      expect((await store.outbox()).size).toBe(1);
    });

    it('grows the wait with each attempt', async () => {
      const { deps, server, clock, ready } = await setup(1);
      await ready;
      const waits: number[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        server.pushFaults.push({ kind: 'network-error' });
        const result = await drainOutbox(deps);
        if (result.outcome !== 'retry-scheduled') throw new Error(result.outcome);
        waits.push(result.nextAttemptAt - clock.now);
        clock.now = result.nextAttemptAt;
      }
      expect(waits).toEqual([500, 1_000, 2_000, 4_000]);
    });

    it('does not send before the head entry is due, unless forced', async () => {
      const { deps, server, ready } = await setup(1);
      await ready;
      server.pushFaults.push({ kind: 'network-error' });
      await drainOutbox(deps);
      const early = await drainOutbox(deps);
      expect(early.outcome).toBe('retry-scheduled');
      expect(server.pushLog).toHaveLength(1);
      const forced = await drainOutbox({ ...deps, force: true });
      expect(forced.outcome).toBe('empty');
      expect(server.pushLog).toHaveLength(2);
    });

    it('counts a request that does not answer in time as a network failure', async () => {
      const { deps, server, store, ready } = await setup(1, { timers: quickTimers, timeoutMs: 5 });
      await ready;
      server.pushFaults.push({ kind: 'hang' });
      const result = await drainOutbox(deps);
      expect(result).toMatchObject({ outcome: 'retry-scheduled', lastError: 'timeout after 5 ms' });
      expect((await store.outbox()).size).toBe(1);
    });

    it('sends nothing while the platform says it is offline', async () => {
      const { deps, server, ready } = await setup(1, { isOnline: () => false });
      await ready;
      expect((await drainOutbox(deps)).outcome).toBe('offline');
      expect(server.pushLog).toEqual([]);
    });

    it('tries anyway when forced (a sync event), because onLine can lag in a worker', async () => {
      const { deps, server, store, ready } = await setup(2, { isOnline: () => false, force: true });
      await ready;
      expect((await drainOutbox(deps)).outcome).toBe('empty');
      expect(server.pushLog).toHaveLength(1);
      expect((await store.outbox()).size).toBe(0);
    });

    it('counts no attempt when a forced try fails while the platform says offline', async () => {
      const { deps, server, store, ready } = await setup(1, { isOnline: () => false, force: true });
      await ready;
      server.pushFaults.push({ kind: 'network-error' });
      expect((await drainOutbox(deps)).outcome).toBe('offline');
      expect([...(await store.outbox()).values()][0].attempts).toBe(0);
    });
  });

  describe('a response lost after the server applied the batch', () => {
    it('resends the same batch with the same key and deletes each entry once', async () => {
      const { deps, server, store, clock, ready } = await setup(3);
      await ready;
      server.pushFaults.push({ kind: 'drop-after-apply' });
      const first = await drainOutbox(deps);
      expect(first.outcome).toBe('retry-scheduled');
      expect((await store.outbox()).size).toBe(3);
      clock.now += 60_000;
      const second = await drainOutbox(deps);
      expect(second.outcome).toBe('empty');
      expect(server.pushLog.map((entry) => entry.key)).toEqual([server.pushLog[0].key, server.pushLog[0].key]);
      expect(server.appliedMutationIds).toHaveLength(3);
      expect((await store.outbox()).size).toBe(0);
      expect(store.methods().filter((method) => method === 'applyPushResults')).toHaveLength(1);
    });

    it('gets duplicates for the old part when new entries joined the batch', async () => {
      const { deps, server, store, clock, ready } = await setup(2);
      await ready;
      server.pushFaults.push({ kind: 'drop-after-apply' });
      await drainOutbox(deps);
      await commitTodo(store, 'late');
      clock.now += 60_000;
      await drainOutbox(deps);
      expect(storedStatuses(store)).toEqual([['duplicate', 'duplicate', 'applied']]);
      expect(server.appliedMutationIds).toHaveLength(3);
      expect((await store.outbox()).size).toBe(0);
    });
  });

  describe('409 seq-gap', () => {
    it('aligns the seqs to the expected one and continues', async () => {
      const { deps, server, store, ready } = await setup(2);
      await ready;
      await store.writeMeta('seqBase', -10);
      const result = await drainOutbox(deps);
      expect(result.outcome).toBe('empty');
      expect(server.pushLog.map((entry) => [entry.status, entry.seqs])).toEqual([
        [409, [11, 12]],
        [200, [1, 2]],
      ]);
      expect(store.calls.find((call) => call.method === 'alignSeq')?.args).toEqual([1]);
    });

    it('gives up for now after repeated gaps, keeping every entry', async () => {
      const { deps, server, store, ready } = await setup(1);
      await ready;
      for (let i = 0; i < 5; i++)
        server.pushFaults.push({ kind: 'status', status: 409, code: PROBLEM.seqGap, extra: { expectedSeq: 1 } });
      const result = await drainOutbox(deps);
      expect(result.outcome).toBe('blocked');
      expect(server.pushLog).toHaveLength(4);
      expect((await store.outbox()).size).toBe(1);
    });
  });

  describe('403 client-forbidden', () => {
    it('renews the client id, renumbers from 1 and continues', async () => {
      const { deps, server, store, ready } = await setup(2);
      await ready;
      const oldClient = (await store.meta<string>('clientId'))!;
      server.forbiddenClients.add(oldClient);
      const result = await drainOutbox(deps);
      expect(result.outcome).toBe('empty');
      const [refused, accepted] = server.pushLog;
      expect(refused).toMatchObject({ clientId: oldClient, status: 403 });
      expect(accepted.clientId).not.toBe(oldClient);
      expect(accepted).toMatchObject({ status: 200, seqs: [1, 2] });
    });
  });

  describe('401', () => {
    it('pauses without counting an attempt', async () => {
      const { deps, server, store, ready } = await setup(1);
      await ready;
      server.pushFaults.push({ kind: 'status', status: 401, code: PROBLEM.unauthorized });
      expect((await drainOutbox(deps)).outcome).toBe('paused');
      expect((await store.outbox()).get(1)).toMatchObject({ attempts: 0 });
    });
  });

  describe('413 too-large', () => {
    it('halves the batch until the sizes fit', async () => {
      const { deps, server, store, ready } = await setup(10);
      await ready;
      server.maxMutations = 3;
      const result = await drainOutbox(deps);
      expect(result.outcome).toBe('empty');
      expect(await store.failedEntries()).toEqual([]);
      expect(server.pushLog.map((entry) => [entry.status, entry.seqs.length])).toEqual([
        [413, 10],
        [413, 5],
        [200, 3],
        [200, 3],
        [200, 3],
        [200, 1],
      ]);
    });

    it('moves a single entry the server never takes to failed, and delivers the rest', async () => {
      const { deps, server, store, ready } = await setup(4);
      await ready;
      const firstId = (await store.outbox()).get(1)!.id;
      for (let i = 0; i < 3; i++) server.pushFaults.push({ kind: 'status', status: 413, code: PROBLEM.tooLarge });
      const result = await drainOutbox(deps);
      expect(result.outcome).toBe('empty');
      // The failed entry's seq was never seen by the server: the next push meets a seq gap and realigns.
      expect(server.pushLog.map((entry) => [entry.status, entry.seqs])).toEqual([
        [413, [1, 2, 3, 4]],
        [413, [1, 2]],
        [413, [1]],
        [409, [2, 3, 4]],
        [200, [1, 2, 3]],
      ]);
      expect((await store.failedEntries()).map((entry) => [entry.error.code, entry.id])).toEqual([
        [PROBLEM.tooLarge, firstId],
      ]);
      expect(server.appliedMutationIds).toHaveLength(3);
    });
  });

  describe('a whole-request 400', () => {
    it('isolates the bad mutation by halving and fails only it', async () => {
      const { deps, server, store, ready } = await setup(8);
      await ready;
      const poisoned = (await store.outbox()).get(6)!;
      server.poisonMutationIds.add(poisoned.id);
      const result = await drainOutbox(deps);
      expect(result.outcome).toBe('empty');
      expect((await store.failedEntries()).map((entry) => entry.id)).toEqual([poisoned.id]);
      expect(server.appliedMutationIds).toHaveLength(7);
      expect(server.appliedMutationIds).not.toContain(poisoned.id);
    });
  });

  describe('422 idempotency-key-reused', () => {
    it('retries once with a salted key, without failing anything', async () => {
      const { deps, server, store, ready } = await setup(2);
      await ready;
      server.pushFaults.push({ kind: 'status', status: 422, code: PROBLEM.idempotencyKeyReused });
      const result = await drainOutbox(deps);
      expect(result.outcome).toBe('empty');
      const [plain, salted] = server.pushLog.map((entry) => entry.key);
      expect(salted.startsWith(`${plain}.`)).toBe(true);
      expect(await store.failedEntries()).toEqual([]);
    });
  });

  describe('other refusals', () => {
    it('keeps the entries, schedules a retry and reports blocked', async () => {
      const { deps, server, store, ready } = await setup(1);
      await ready;
      server.pushFaults.push({ kind: 'status', status: 403, code: PROBLEM.csrf });
      const result = await drainOutbox(deps);
      expect(result).toMatchObject({ outcome: 'blocked', lastError: 'HTTP 403 csrf' });
      expect((await store.outbox()).get(1)).toMatchObject({ attempts: 1 });
    });
  });

  describe('commits made during a drain', () => {
    async function commitDuringPush(force: boolean) {
      const { deps, server, store, ready } = await setup(2);
      await ready;
      const fetchAndCommit: typeof fetch = async (input, init) => {
        if (server.pushLog.length === 0) {
          await commitTodo(store, 'later');
        }
        return server.fetch(input, init);
      };
      const result = await drainOutbox({ ...deps, force, fetch: fetchAndCommit });
      return { result, server, store };
    }

    it.each([false, true])('are left to their own trigger (forced: %s)', async (force) => {
      const { result, server, store } = await commitDuringPush(force);
      expect(result).toMatchObject({ outcome: 'empty', acknowledged: 2 });
      expect(server.pushLog).toHaveLength(1);
      expect((await store.outbox()).size).toBe(1);
    });
  });

  describe('the pipeline', () => {
    it('sends the next batch while the results of the one before are still being stored', async () => {
      const { deps, server, store, ready } = await setup(1_100);
      await ready;
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const apply = store.applyPushResults.bind(store);
      let pushesWhenFirstStored = 0;
      store.applyPushResults = async (batch, response, options) => {
        if (pushesWhenFirstStored === 0) {
          await gate;
          pushesWhenFirstStored = server.pushLog.length;
        }
        return apply(batch, response, options);
      };
      const draining = drainOutbox({ ...deps, force: true });
      for (let turn = 0; turn < 100 && server.pushLog.length < 2; turn++) {
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      release();
      const result = await draining;
      expect(pushesWhenFirstStored).toBeGreaterThanOrEqual(2);
      expect(result).toMatchObject({ outcome: 'empty', acknowledged: 1_100 });
      expect(server.pushLog.map((entry) => entry.seqs[0])).toEqual([1, 501, 1001]);
      expect((await store.outbox()).size).toBe(0);
    });

    it('stops sending when results cannot be stored, and the next drain delivers each entry once', async () => {
      const { deps, server, store, ready } = await setup(1_100);
      await ready;
      const apply = store.applyPushResults.bind(store);
      store.applyPushResults = async () => {
        throw new Error('database closed');
      };
      const failed = await drainOutbox(deps);
      // Like a transient failure: an attempt counted on the head entry, the retry after the backoff.
      const lastError = 'storing push results failed: database closed';
      expect(failed).toMatchObject({ outcome: 'retry-scheduled', lastError, nextAttemptAt: 1_000_500 });
      expect((await store.outbox()).get(1)).toMatchObject({ attempts: 1, lastError, nextAttemptAt: 1_000_500 });
      expect((await store.outbox()).size).toBe(1_100);
      store.applyPushResults = apply;
      expect(await drainOutbox({ ...deps, force: true })).toMatchObject({ outcome: 'empty', acknowledged: 1_100 });
      expect((await store.outbox()).size).toBe(0);
      expect(new Set(server.appliedMutationIds).size).toBe(1_100);
      expect(server.appliedMutationIds).toHaveLength(1_100);
    });
  });

  describe('a failing store', () => {
    it('resolves with retry-scheduled instead of rejecting, backing off while it keeps failing', async () => {
      const { deps, store, ready } = await setup(1);
      await ready;
      const waits: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        failNextBatch(store);
        const result = await drainOutbox(deps);
        expect(result).toMatchObject({ outcome: 'retry-scheduled', lastError: 'drain failed: database closed' });
        waits.push((result as { nextAttemptAt: number }).nextAttemptAt - deps.now());
      }
      expect(waits).toEqual([500, 1_000, 2_000]);
      expect(await drainOutbox(deps)).toMatchObject({ outcome: 'empty', acknowledged: 1 });
      failNextBatch(store);
      expect(await drainOutbox(deps)).toMatchObject({ nextAttemptAt: deps.now() + 500 });
    });
  });

  describe('an answer that is not what the protocol promises', () => {
    /** Drains `count` entries once with the push's answer tampered by `answer`. */
    async function drainWithAnswer(answer: (response: PushResponse) => unknown, count = 3) {
      const context = await setup(count);
      await context.ready;
      context.server.pushFaults.push({ kind: 'tamper', answer });
      return { ...context, result: await drainOutbox(context.deps) };
    }

    it('stores none of it, counts an attempt with backoff, and delivers each entry once later', async () => {
      const { result, store, server, deps } = await drainWithAnswer((response) => ({
        ...response,
        results: [response.results[1], response.results[0], response.results[2]],
      }));
      const lastError = `invalid push answer: /results/0/seq must be 1, the seq of the mutation it answers`;
      expect(result).toMatchObject({
        outcome: 'retry-scheduled',
        acknowledged: 0,
        lastError,
        nextAttemptAt: 1_000_500,
      });
      expect((await store.outbox()).size).toBe(3);
      expect((await store.outbox()).get(1)).toMatchObject({ attempts: 1, lastError });
      expect(await drainOutbox({ ...deps, force: true })).toMatchObject({ outcome: 'empty', acknowledged: 3 });
      expect(server.appliedMutationIds).toHaveLength(3);
    });

    it('refuses results missing, of an unknown status, or without their stamp', async () => {
      const cases: ((response: PushResponse) => unknown)[] = [
        (response) => ({ ...response, results: response.results.slice(1) }),
        (response) => ({ ...response, results: response.results.map((r) => ({ ...r, status: 'maybe' })) }),
        (response) => ({
          ...response,
          results: response.results.map(({ seq, id }) => ({ seq, id, status: 'applied' })),
        }),
        (response) => ({ ...response, lastSeq: 0 }),
        () => ({ results: 'none' }),
      ];
      for (const answer of cases) {
        const { result, store } = await drainWithAnswer(answer);
        expect(result).toMatchObject({
          outcome: 'retry-scheduled',
          lastError: expect.stringMatching(/^invalid push answer: /),
        });
        expect((await store.outbox()).get(1)).toMatchObject({ attempts: 1 });
      }
    });
  });

  describe('one drain at a time', () => {
    it('never has two pushes in flight, and sends each entry once', async () => {
      const { deps, server, store, ready } = await setup(6);
      await ready;
      let inFlight = 0;
      let maxInFlight = 0;
      const slowFetch: typeof fetch = async (input, init) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        try {
          return await server.fetch(input, init);
        } finally {
          inFlight--;
        }
      };
      const both = await Promise.all([
        drainOutbox({ ...deps, fetch: slowFetch }),
        drainOutbox({ ...deps, fetch: slowFetch }),
        commitTodo(store, 'during'),
      ]);
      expect(both.slice(0, 2).map((result) => (result as { outcome: string }).outcome)).toEqual(['empty', 'empty']);
      expect(maxInFlight).toBe(1);
      expect(server.appliedMutationIds).toHaveLength(7);
      expect(new Set(server.appliedMutationIds).size).toBe(7);
      expect(server.pushLog.every((entry) => entry.status === 200)).toBe(true);
    });
  });
});
