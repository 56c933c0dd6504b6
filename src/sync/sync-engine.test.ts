import { afterEach, describe, expect, it } from 'vitest';
import { PROBLEM } from '../../protocol/index.ts';
import type { BroadcastMessage, SyncChannel } from './broadcast.ts';
import { BURST_COMMITS, BURST_QUIET_MS, COMMIT_MAX_WAIT_MS, GENTLE_YIELD_MAX_MS } from './commit-gathering.ts';
import { FakeSyncServer } from './fake-sync-server.test-helper.ts';
import { createInProcessLock } from './lock.ts';
import { openRecordedStore, type RecordedStore } from './recorded-store.test-helper.ts';
import { SyncEngine, type SyncEngineDeps } from './sync-engine.ts';
import { statsAsOf } from './sync-stats.ts';
import type { SyncStatus } from './sync-status.ts';
import type { Timers } from './timers.ts';

const WORKSPACE = '01900000-0000-7000-8000-000000000001';

/** Timers the test fires by hand; each remembers its delay and when it is due on the test's clock. */
class ManualTimers implements Timers {
  readonly pending = new Map<number, { callback: () => void; delay: number; dueAt: number }>();
  private next = 1;
  constructor(private readonly clock: { now: number }) {}
  setTimeout(callback: () => void, delay: number): number {
    const handle = this.next++;
    this.pending.set(handle, { callback, delay, dueAt: this.clock.now + delay });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  delays(): number[] {
    return [...this.pending.values()].map((timer) => timer.delay);
  }
  /** Fires the timers due by the test's clock. */
  fireDue(): void {
    for (const [handle, timer] of [...this.pending]) {
      if (timer.dueAt > this.clock.now) continue;
      this.pending.delete(handle);
      timer.callback();
    }
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const timer of due) timer.callback();
  }
  /**
   * Fires the timers as they come due, the clock moved on to each round's latest, until `done`:
   * a gentle drain waits on them for a pause in the commits before each batch it takes.
   */
  async fireUntil(done: () => boolean): Promise<void> {
    for (let turn = 0; turn < 100 && !done(); turn++) {
      this.clock.now = Math.max(this.clock.now, ...[...this.pending.values()].map((timer) => timer.dueAt));
      this.fireAll();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(done()).toBe(true);
  }
}

/** A function that says whether `promise` has settled. */
function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  void promise.finally(() => {
    done = true;
  });
  return () => done;
}

/** Lets the event loop turn until `done` (or fails after 100 turns). */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !done(); turn++) await new Promise((resolve) => setTimeout(resolve, 0));
  expect(done()).toBe(true);
}

const opened: { store: RecordedStore; engine: SyncEngine }[] = [];
afterEach(() => {
  for (const { store, engine } of opened.splice(0)) {
    engine.stop();
    store.dispose();
  }
});

async function setup(options: { signedIn?: boolean; online?: boolean; commitCoalesceMs?: number } = {}) {
  const store = await openRecordedStore();
  const server = new FakeSyncServer();
  const clock = { now: 1_000_000 };
  const timers = new ManualTimers(clock);
  const network = { online: options.online ?? true };
  const broadcasts: BroadcastMessage[] = [];
  const channel: SyncChannel = {
    post: (message) => broadcasts.push(message),
    subscribe: () => () => {},
    close: () => {},
  };
  const statuses: SyncStatus[] = [];
  const changed: string[] = [];
  let syncRegistrations = 0;
  const deps: SyncEngineDeps = {
    openActive: async () => ({ store, signedIn: options.signedIn ?? true }),
    // Offline, requests fail as a real network's do (a forced drain tries despite isOnline).
    fetch: (input, init) =>
      network.online ? server.fetch(input, init) : Promise.reject(new TypeError('Failed to fetch')),
    now: () => clock.now,
    random: () => 0.5,
    timers,
    isOnline: () => network.online,
    lock: createInProcessLock(),
    channel,
    requestBackgroundSync: async () => {
      syncRegistrations++;
    },
    onSynced: ({ records }) => changed.push(...records.map((record) => record.id)),
    onStatus: (status) => statuses.push(status),
    commitCoalesceMs: options.commitCoalesceMs,
  };
  const engine = new SyncEngine(deps);
  opened.push({ store, engine });
  const commit = (text: string) =>
    store.commit({ op: 'create', table: 'todos', workspaceId: WORKSPACE, fields: { text, done: false, position: 0 } });
  return {
    store,
    server,
    timers,
    clock,
    network,
    broadcasts,
    statuses,
    changed,
    engine,
    commit,
    registrations: () => syncRegistrations,
  };
}

/**
 * Holds the storing of push results (a drain in progress) until the returned function is called:
 * held where the store has waited for its pause in the commits (a gentle drain's) and is about to
 * write, so commits made meanwhile come while the drain's last transaction runs.
 */
function holdResults(store: RecordedStore): () => void {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const apply = store.applyPushResults;
  store.applyPushResults = (batch, response, options) => {
    const pause = async () => {
      await options?.pause?.();
      await held;
    };
    return apply(batch, response, { ...options, pause });
  };
  return release;
}

/** Commits 'a' and lets its gathering drain send it; the drain then holds its results until `release()`. */
async function drainHeldAfterSending({ engine, server, store, timers, commit }: Awaited<ReturnType<typeof setup>>) {
  const release = holdResults(store);
  await commit('a');
  const first = engine.trigger('committed');
  await timers.fireUntil(() => server.pushLog.length === 1);
  return { release, first };
}

describe('SyncEngine', () => {
  describe('without an account', () => {
    it('never pushes and says local-only', async () => {
      const { engine, server, commit } = await setup({ signedIn: false });
      await commit('offline forever');
      await engine.trigger('committed');
      const status = await engine.flush();
      expect(server.pushLog).toEqual([]);
      expect(status).toMatchObject({ state: 'local-only', pending: 1 });
    });
  });

  describe('a commit', () => {
    it('is pushed, then pulled, and ends synced with the new cursor', async () => {
      const { engine, server, store, commit } = await setup();
      await commit('hello');
      await engine.trigger('committed');
      const status = await engine.pull();
      expect(server.pushLog).toHaveLength(1);
      // Only the pull asked for: the push's results were every change, so they moved the cursor.
      expect(server.pullLog).toEqual([1]);
      expect((await store.outbox()).size).toBe(0);
      expect(status).toMatchObject({
        state: 'synced',
        pending: 0,
        cursor: 1,
        lastSyncAt: new Date(1_000_000).toISOString(),
      });
    });

    it('is not followed by a pull when its results moved the cursor up to the server cursor', async () => {
      const { engine, server, commit } = await setup();
      await commit('hello');
      await engine.trigger('committed');
      await engine.flush();
      expect(server.pushLog).toHaveLength(1);
      expect(server.pullLog).toEqual([]);
    });

    it('tells this context and the other tabs which records changed, with those it synced as stored', async () => {
      const { engine, broadcasts, changed, store, commit } = await setup();
      const record = await commit('hello');
      await engine.flush();
      expect(changed).toContain(record.id);
      expect(broadcasts).toContainEqual({
        type: 'synced',
        database: store.name,
        source: 'push',
        records: [{ table: 'todos', id: record.id }],
        views: [await store.get('todos', record.id)],
      });
      expect(await store.get('todos', record.id)).toMatchObject({ version: 1, pending: false });
    });

    it("tells pulled changes apart from its push's acknowledgements", async () => {
      const { engine, broadcasts, server, commit } = await setup();
      const mine = await commit('mine');
      await engine.flush();
      const theirs = '01900000-0000-7000-8000-0000000000ff';
      server.addChange({
        table: 'workspaces',
        id: theirs,
        workspaceId: theirs,
        version: 1,
        deleted: false,
        createdAt: '',
        updatedAt: '',
        fields: { name: 'theirs' },
      });
      await engine.pull();
      const told = broadcasts.flatMap((message) =>
        message.type === 'synced' ? message.records.map((record) => `${message.source} ${record.id}`) : [],
      );
      expect(told).toContain(`push ${mine.id}`);
      expect(told).toContain(`pull ${theirs}`);
      expect(told).not.toContain(`push ${theirs}`);
    });

    it('broadcasts each new status to the other tabs', async () => {
      const { engine, broadcasts, commit } = await setup();
      await commit('hello');
      await engine.syncNow();
      const states = broadcasts.filter((message) => message.type === 'status').map((message) => message.status.state);
      expect(states.at(-1)).toBe('synced');
    });
  });

  describe('status', () => {
    it('after a drain and a pull that got to their last results, is told from the counts read with them', async () => {
      const { engine, store, commit } = await setup();
      await commit('first');
      await engine.syncNow();
      store.calls.length = 0;
      await commit('hello');
      const status = await engine.syncNow();
      expect(status).toMatchObject({ state: 'synced', pending: 0, cursor: 2 });
      expect(store.methods()).toContain('applyPullPage');
      // A read of its own would be one more transaction for the next commit to wait behind.
      expect(store.methods()).not.toContain('counts');
    });

    it('is read from the store after a drain that ended on anything else', async () => {
      const { engine, store, commit } = await setup({ online: false });
      await commit('hello');
      const status = await engine.flush();
      expect(status).toMatchObject({ state: 'offline', pending: 1 });
      expect(store.methods()).toContain('counts');
    });
  });

  describe('a sync event', () => {
    it('while commits gather, waits for their drain instead of forcing a drain and a pull of its own', async () => {
      const { engine, server, store, timers, commit } = await setup({ commitCoalesceMs: 25 });
      await commit('first');
      await engine.syncNow();
      const pulls = server.pullLog.length;
      await commit('a');
      const gathered = engine.trigger('committed');
      const event = engine.syncEvent();
      await Promise.resolve();
      expect(server.pushLog).toHaveLength(1);
      await timers.fireUntil(settled(gathered));
      expect(await event).toMatchObject({ pending: 0 });
      expect(server.pushLog).toHaveLength(2);
      // No pull: the push's results were every change since the cursor.
      expect(server.pullLog).toHaveLength(pulls);
      expect((await store.outbox()).size).toBe(0);
    });

    it('with none gathering, drains at once, whatever the backoff, and pulls', async () => {
      const { engine, server, clock, commit } = await setup();
      await commit('a');
      server.pushFaults.push({ kind: 'status', status: 503 });
      await engine.flush();
      expect(server.pushLog).toHaveLength(1);
      clock.now += 100; // still inside the backoff
      expect(await engine.syncEvent()).toMatchObject({ pending: 0 });
      expect(server.pushLog).toHaveLength(2);
      expect(server.pullLog).toHaveLength(1);
    });

    it('syncs now when the gathering drain left entries', async () => {
      const { engine, server, timers, commit } = await setup({ commitCoalesceMs: 25 });
      await commit('a');
      server.pushFaults.push({ kind: 'status', status: 503 });
      const gathered = engine.trigger('committed');
      const event = engine.syncEvent();
      await timers.fireUntil(settled(gathered));
      expect(await event).toMatchObject({ pending: 0 });
      expect(server.pushLog.map((push) => push.status)).toEqual([503, 200]);
    });
  });

  describe('triggers', () => {
    it('pulls on start and on reconnect even with nothing to push', async () => {
      const { engine, server } = await setup();
      await engine.trigger('start');
      await engine.trigger('online');
      expect(server.pullLog).toEqual([0, 0]);
      expect(server.pushLog).toEqual([]);
    });

    it('does not pull after a commit that delivered nothing', async () => {
      const { engine, server } = await setup();
      await engine.trigger('committed');
      await engine.trigger('ping');
      expect(server.pullLog).toEqual([]);
    });
  });

  describe('coalescing', () => {
    /**
     * A commit after quiet leads: it is delivered at once (seq 1). The test's commits, made within
     * the quiet after it and the drain it started, gather.
     */
    async function afterLeadingCommit(rig: Awaited<ReturnType<typeof setup>>) {
      await rig.commit('lead');
      await rig.engine.trigger('committed');
      expect(rig.server.pushLog.map((push) => push.seqs)).toEqual([[1]]);
      rig.server.pushLog.length = 0;
      return rig;
    }

    it('delivers a commit after quiet at once, and gathers the ones right after it', async () => {
      const rig = await setup({ commitCoalesceMs: 25 });
      const { engine, server, timers, clock, commit } = rig;
      rig.clock.now += 25; // the quiet after the engine's start
      await commit('alone');
      await engine.trigger('committed');
      expect(server.pushLog.map((push) => push.seqs)).toEqual([[1]]);
      await commit('right after');
      const gathered = engine.trigger('committed');
      expect(timers.delays()).toEqual([25]);
      clock.now += 25;
      await timers.fireUntil(settled(gathered));
      expect(server.pushLog.map((push) => push.seqs)).toEqual([[1], [2]]);
    });

    it('lets the commits of a burst gather, then sends them in one push', async () => {
      const { engine, server, timers, commit } = await afterLeadingCommit(await setup({ commitCoalesceMs: 25 }));
      const triggers = [];
      for (const text of ['a', 'b', 'c']) {
        await commit(text);
        triggers.push(engine.trigger('committed'));
      }
      await Promise.resolve();
      expect(server.pushLog).toEqual([]);
      expect(timers.delays()).toEqual([25]);
      await timers.fireUntil(settled(Promise.all(triggers)));
      expect(server.pushLog.map((push) => push.seqs)).toEqual([[2, 3, 4]]);
    });

    it('waits for a pause in the commits, but never more than a second after the first', async () => {
      const { engine, server, timers, clock, commit } = await afterLeadingCommit(await setup({ commitCoalesceMs: 25 }));
      const start = clock.now;
      const dueTimes: number[] = [];
      const arm = timers.setTimeout.bind(timers);
      timers.setTimeout = (callback, delay) => {
        dueTimes.push(clock.now - start + delay);
        return arm(callback, delay);
      };
      let firedAt: number | null = null;
      for (let i = 0; i < 60 && firedAt === null; i++) {
        await commit(`burst ${i}`);
        const drained = engine.trigger('committed');
        if (clock.now - start >= (dueTimes.at(-1) ?? Number.POSITIVE_INFINITY)) {
          firedAt = clock.now - start;
          await timers.fireUntil(settled(drained));
        }
        clock.now += 20;
      }
      const gathering = dueTimes.filter((due) => due <= 1_000); // not the timers the drain set after
      expect(gathering.slice(0, 3)).toEqual([25, 45, 65]);
      expect(gathering.at(-1)).toBe(1_000);
      expect(firedAt).toBe(1_000);
      expect(server.appliedMutationIds).toHaveLength(52); // with the leading commit
    });

    it('ends a burst only after a longer pause than a few edits need', async () => {
      const { engine, server, timers, clock, commit } = await afterLeadingCommit(await setup({ commitCoalesceMs: 25 }));
      const triggers = [];
      for (let i = 0; i < BURST_COMMITS; i++) {
        // Each commit re-arms the one timer: its delay is the pause that would end the gathering.
        expect(timers.delays()).toEqual(i === 0 ? [] : [25]);
        await commit(`burst ${i}`);
        triggers.push(engine.trigger('committed'));
        clock.now += 2;
      }
      expect(timers.delays()).toEqual([BURST_QUIET_MS]);
      expect(server.pushLog).toEqual([]);
      await timers.fireUntil(settled(Promise.all(triggers)));
      expect(server.pushLog.map((push) => push.seqs.length)).toEqual([BURST_COMMITS]);
    });

    it('lets a ping that comes while commits gather wait for their drain', async () => {
      const { engine, server, timers, commit } = await setup({ commitCoalesceMs: 25 });
      await commit('a');
      const gathered = engine.trigger('committed');
      const pinged = engine.trigger('ping');
      await Promise.resolve();
      expect(server.pushLog).toEqual([]);
      await timers.fireUntil(settled(Promise.all([gathered, pinged])));
      expect(server.pushLog.map((push) => push.seqs)).toEqual([[1]]);
    });

    it('does not count the pause its own drain held the commits back for as quiet', async () => {
      const rig = await setup({ commitCoalesceMs: 25 });
      const { engine, server, timers, clock, commit } = rig;
      const { release, first } = await drainHeldAfterSending(rig);
      await commit('b');
      const second = engine.trigger('committed');
      clock.now += 30;
      timers.fireAll(); // the drain is still storing: no quiet yet
      expect(timers.delays()).toEqual([970]); // but never past the cap, a second after 'b'
      release();
      await first;
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(server.pushLog).toHaveLength(1);
      expect(timers.delays()).toEqual([30]); // from the drain's end, as long as it held 'b' back
      await timers.fireUntil(settled(second));
      expect(server.pushLog.map((push) => push.seqs)).toEqual([[1], [2]]);
    });

    it('re-arms a gathering that comes due just after a drain ended, too recently for quiet', async () => {
      const rig = await setup({ commitCoalesceMs: 25 });
      const { engine, server, timers, clock, commit } = rig;
      const { release, first } = await drainHeldAfterSending(rig);
      await commit('b');
      const second = engine.trigger('committed'); // due 25 ms after 'b', as things stand
      clock.now += 10;
      release();
      await first;
      await new Promise((resolve) => setTimeout(resolve, 0)); // the pull after it ends too
      clock.now += 15;
      timers.fireAll(); // the drain ended 15 ms ago, after holding 'b' back for 10
      expect(server.pushLog).toHaveLength(1);
      expect(timers.delays()).toEqual([10]);
      clock.now += 10;
      await timers.fireUntil(settled(second));
      expect(server.pushLog.map((push) => push.seqs)).toEqual([[1], [2]]);
    });

    it('re-arms a gathering whose timer fired just before the cap while a drain runs', async () => {
      const rig = await setup({ commitCoalesceMs: 25 });
      const { engine, server, timers, clock, commit } = rig;
      const { release, first } = await drainHeldAfterSending(rig);
      const start = clock.now;
      await commit('b');
      const second = engine.trigger('committed');
      clock.now = start + 990;
      await commit('c');
      void engine.trigger('committed'); // due at the cap now
      clock.now = start + 999;
      timers.fireAll(); // a millisecond early, with the drain still storing
      expect(timers.delays()).toEqual([1]);
      release();
      await first;
      clock.now = start + 1_000;
      await timers.fireUntil(settled(second));
      expect(server.pushLog.map((push) => push.seqs)).toEqual([[1], [2, 3]]);
    });

    it('lets a gentle drain take a batch once the commits pause, or GENTLE_YIELD_MAX_MS after it asked', async () => {
      const { engine, server, timers, clock, commit } = await afterLeadingCommit(await setup({ commitCoalesceMs: 25 }));
      await commit('a');
      const drained = engine.trigger('committed');
      timers.fireAll(); // the gathering comes due (early, 'a' just made): its gentle drain waits for quiet
      await until(() => timers.delays().length === 1);
      expect([timers.delays(), server.pushLog]).toEqual([[25], []]);
      clock.now += 25;
      timers.fireAll();
      await drained;
      expect(server.pushLog.map((push) => push.seqs)).toEqual([[2]]);

      // A script's burst: a commit every 20 ms, never 25 ms of quiet. Its first commit leads
      // (the quiet before it passed); the gathering of the rest, from 20 ms on, drains at its
      // cap, then waits for quiet until GENTLE_YIELD_MAX_MS have passed.
      const first = clock.now;
      while (server.pushLog.length <= 2 && clock.now - first < 2_000) {
        await commit(`${clock.now - first} ms on`);
        void engine.trigger('committed');
        clock.now += 20;
        timers.fireDue();
        for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      expect(server.pushLog[1]?.seqs).toEqual([3]);
      expect(clock.now - first).toBe(20 + COMMIT_MAX_WAIT_MS + GENTLE_YIELD_MAX_MS + 10);
    });

    it('stopping releases whoever waits for a gathering drain, without draining', async () => {
      const { engine, server, timers, commit } = await afterLeadingCommit(await setup({ commitCoalesceMs: 25 }));
      await commit('a');
      const waiting = engine.trigger('committed');
      engine.stop();
      await waiting;
      expect(timers.delays()).toEqual([]);
      expect(server.pushLog).toEqual([]);
    });

    it('runs one drain at a time and one more for triggers that came during it', async () => {
      const { engine, server, store, commit } = await setup();
      await commit('a');
      const runs = [engine.trigger('committed'), engine.trigger('committed'), engine.trigger('ping')];
      await commit('b');
      await Promise.all(runs);
      const drainsStarted = store.calls.filter((call) => call.method === 'nextBatch').length;
      expect(server.appliedMutationIds).toHaveLength(2);
      // Two drains: the first, and one for everything asked while it ran (each ends with an empty nextBatch).
      expect(drainsStarted).toBeLessThanOrEqual(4);
      expect((await store.outbox()).size).toBe(0);
    });
  });

  describe('transient failures', () => {
    it('retries on its own timer at the next attempt time, and asks for a Background Sync', async () => {
      const { engine, server, timers, store, clock, commit, registrations } = await setup();
      await commit('a');
      server.pushFaults.push({ kind: 'status', status: 502 });
      await engine.flush();
      expect((await store.outbox()).size).toBe(1);
      expect(timers.delays()).toContain(550);
      expect(registrations()).toBe(1);
      clock.now += 550;
      timers.fireAll();
      await engine.flush();
      expect((await store.outbox()).size).toBe(0);
    });

    it('shows retrying, the next attempt and the last error after 3 attempts, calmly: the server is away', async () => {
      const { engine, server, clock, commit } = await setup();
      await commit('a');
      let status: SyncStatus | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        server.pushFaults.push({ kind: 'status', status: 500 });
        status = await engine.flush();
        clock.now += 10_000;
      }
      expect(status).toMatchObject({ state: 'unreachable', retrying: 1, lastError: 'HTTP 500 internal' });
      expect(status?.nextAttemptAt).toBeGreaterThan(0);
      // The server answered: a pull getting through does not cut its backoff short.
      server.pushLog.length = 0;
      await engine.pull();
      expect(server.pushLog).toEqual([]);
    });

    it('says syncing, never error, while the server asks this device to slow down, and keeps to its Retry-After', async () => {
      const { engine, server, clock, commit } = await setup();
      await commit('a');
      let status: SyncStatus | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        server.pushFaults.push({ kind: 'status', status: 429, headers: { 'retry-after': '60' } });
        status = await engine.flush();
        clock.now += 61_000;
      }
      expect(status).toMatchObject({ state: 'syncing', pending: 1, retrying: 1 });
      // A pull getting through says nothing of this device's pace: the push waits its turn.
      clock.now -= 61_000;
      server.pushLog.length = 0;
      server.pullFaults.push({ kind: 'status', status: 429 });
      expect((await engine.pull()).state).toBe('syncing');
      await engine.pull();
      expect(server.pushLog).toEqual([]);
    });

    it('says unreachable, not error, when a pull meets a server away (503)', async () => {
      const { engine, server } = await setup();
      server.pullFaults.push({ kind: 'status', status: 503 });
      expect(await engine.pull()).toMatchObject({ state: 'unreachable' });
      expect((await engine.pull()).state).toBe('synced');
    });

    it('says unreachable, not error, while an online server does not answer, and drains at once when a pull gets through', async () => {
      const { engine, server, commit, clock } = await setup();
      await commit('a');
      let status: SyncStatus | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        server.pushFaults.push({ kind: 'network-error' });
        status = await engine.flush();
        clock.now += 10_000;
      }
      expect(status).toMatchObject({ state: 'unreachable', pending: 1, retrying: 1 });
      // The backoff has the next attempt minutes away; a pull that gets through (the event stream
      // reopening asks for one) sends the outbox now.
      server.pushLog.length = 0;
      await engine.pull();
      await until(() => server.pushLog.length === 1);
      expect(await engine.refreshStatus()).toMatchObject({ state: 'synced', pending: 0 });
    });

    it('says offline and registers a Background Sync when the platform is offline', async () => {
      const { engine, server, commit, network, registrations } = await setup({ online: false });
      await commit('a');
      const status = await engine.flush();
      expect(status.state).toBe('offline');
      expect(server.pushLog).toEqual([]);
      expect(registrations()).toBe(1);
      network.online = true;
      expect((await engine.syncNow()).state).toBe('synced');
    });
  });

  describe('401', () => {
    it('pauses the outbox until the account changes', async () => {
      const { engine, server, store, commit } = await setup();
      await commit('a');
      server.pushFaults.push({ kind: 'status', status: 401, code: PROBLEM.unauthorized });
      expect((await engine.flush()).state).toBe('signed-out');
      await engine.trigger('committed');
      expect(server.pushLog).toHaveLength(1);
      await engine.accountChanged();
      const status = await engine.syncNow();
      expect(status.state).toBe('synced');
      expect((await store.outbox()).size).toBe(0);
    });
  });

  describe('sync figures', () => {
    it('stores what it sent, received and failed today, with latency, and tells the tabs', async () => {
      const { engine, server, store, commit, clock, broadcasts } = await setup();
      await commit('a');
      await commit('b');
      server.pushFaults.push({ kind: 'status', status: 502 });
      await engine.flush();
      clock.now += 60_000;
      await engine.flush();
      const theirs = '01900000-0000-7000-8000-0000000000fe';
      server.addChange({
        table: 'workspaces',
        id: theirs,
        workspaceId: theirs,
        version: 1,
        deleted: false,
        createdAt: '',
        updatedAt: '',
        fields: { name: 'theirs' },
      });
      await engine.pull();
      await engine.statsSettled();
      const stored = statsAsOf(await store.syncStats(), clock.now);
      expect(stored).toMatchObject({ sentToday: 2, receivedToday: 1, failuresToday: 1 });
      // The refused push, the one that got through and the pull each took a round trip.
      expect(stored.latency).toHaveLength(3);
      expect(stored.lastSync).toEqual({ at: clock.now, durationMs: 0 });
      const told = broadcasts.filter((message) => message.type === 'stats');
      expect(told.at(-1)).toEqual({ type: 'stats', database: store.name, stats: stored });
    });

    it('keeps nothing for a drain that found the outbox empty', async () => {
      const { engine, store } = await setup();
      await engine.flush();
      await engine.statsSettled();
      expect(await store.syncStats()).toBeUndefined();
    });
  });

  describe('initial sync', () => {
    it('reports progress in the status while it pulls from 0', async () => {
      const { engine, server, statuses } = await setup();
      for (let index = 0; index < 3; index++) {
        server.addChange({
          table: 'workspaces',
          id: `01900000-0000-7000-8000-00000000000${index}`,
          workspaceId: `01900000-0000-7000-8000-00000000000${index}`,
          version: 1,
          deleted: false,
          createdAt: '',
          updatedAt: '',
          fields: { name: `w${index}` },
        });
      }
      const final = await engine.pull();
      expect(statuses.some((status) => status.initialSync?.received === 3)).toBe(true);
      expect(final.initialSync).toBeNull();
      expect(final.cursor).toBe(3);
    });
  });
});
