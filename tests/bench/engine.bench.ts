/** The engine benchmark in real Chromium against a real server: drain vs Workbox, initial sync vs raw put, commit and cross-device latency. */
import type { BrowserContext, Page } from 'playwright-core';
import { LIMITS, newId } from '../../protocol/index.ts';
import { startPgCluster } from '../../server/test-support/pg-cluster.ts';
import { ApiClient, MutationBuilder, noteCard } from '../support/api-client.ts';
import {
  type Devices,
  ensureAppBuilt,
  inPage,
  launchDiskDevices,
  openApp,
  waitFor,
  waitForPage,
} from '../support/browser.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { type BenchRow, benchRow, markdownTable, writeBenchResults } from './bench-report.ts';
import { BASELINE_SCOPE, enqueueBaseline, replayBaseline, serveWorkboxBaseline } from './workbox-queue-baseline.ts';

const PASSWORD = 'burrow-bench-password';
/** BURROW_BENCH_SCALE (e.g. 0.1) shrinks every size, for profiling; the figures reported use 1. */
const SCALE = Number(process.env.BURROW_BENCH_SCALE ?? 1);
/** BURROW_BENCH_ONLY=drain,cross,cross-pg,initial runs just those parts (commit latency needs the drain's). */
const ONLY = process.env.BURROW_BENCH_ONLY?.split(',');
const DRAIN_MUTATIONS = Math.round(10_000 * SCALE);
const INITIAL_SYNC_RECORDS = Math.round(100_000 * SCALE);
const COMMIT_SAMPLES = Math.round(1_000 * SCALE);
/** BURROW_BENCH_RUNS: how many paired runs the initial sync's figure is the median of (default 3). */
const INITIAL_SYNC_RUNS = Math.max(1, Math.floor(Number(process.env.BURROW_BENCH_RUNS)) || 3);
const CROSS_DEVICE_SAMPLES = 40;
/**
 * A pause before each cross-device sample: the latency of a change made at rest, as a person
 * makes one. Back to back, each commit met the tail of the last one's work on both devices
 * (stored results, status, stats, the list's render), and the loop measured that queue instead.
 */
const CROSS_DEVICE_REST_MS = 250;
/** BURROW_BENCH_TRACE=1 prints the initial sync's progress timeline (reporting only). */
const TRACE = process.env.BURROW_BENCH_TRACE === '1';
/**
 * How long the browser rests before a timed phase: each side's queue between being filled and
 * being sent, and the drained device before its commits are timed. Chromium's IndexedDB goes on
 * working off a burst of writes for seconds after it: 10,000 commits made in 35 s and sent at
 * once drained in 12–14 s, the same queue after 30 s in 4.2 s. A queue that size builds up over
 * hours offline, so both sides are timed from a store at rest.
 */
const REST_MS = 30_000 * Math.min(1, SCALE);
/** The card every figure writes: the protocol's typical ~300-byte note. */
const CARD = noteCard();

interface Rig {
  serverUrl: string;
  proxy: FaultProxy;
  chromium: Devices;
}

/** A new device of `chromium`, signed up (or in) at `origin`. */
async function signedUpDevice(chromium: Devices, origin: string, email: string, mode: 'signUp' | 'signIn' = 'signUp') {
  const context = await chromium.newDevice();
  const page = await openApp(context, origin);
  await inPage(page, (burrow, arg) => burrow[arg.mode](arg.email, arg.password).then(() => null), {
    mode,
    email,
    password: PASSWORD,
  });
  const workspaceId = await waitFor(() => inPage(page, async (burrow) => (await burrow.workspaces())[0]?.id ?? null), {
    timeoutMs: 120_000,
    message: 'the default workspace on the device',
  });
  return { context, page, workspaceId };
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** Burrow: 10,000 commits offline, then online until all acknowledged. Workbox: the same requests replayed. */
async function benchDrain(rig: Rig): Promise<{ rows: BenchRow[]; page: Page; ids: string[] }> {
  const email = `drain-${newId().slice(-12)}@example.test`;
  const burrow = await signedUpDevice(rig.chromium, rig.proxy.url, email);
  await burrow.context.setOffline(true);
  const ids = await inPage(
    burrow.page,
    async (client, arg) => {
      const created: string[] = [];
      for (let i = 0; i < arg.count; i++) {
        const record = await client.create(
          'cards',
          { ...arg.card, title: `drain ${i}` },
          { workspaceId: arg.workspaceId },
        );
        created.push(record.id);
      }
      return created;
    },
    { count: DRAIN_MUTATIONS, card: CARD, workspaceId: burrow.workspaceId },
  );
  await burrow.page.waitForTimeout(REST_MS);
  const started = Date.now();
  await burrow.context.setOffline(false);
  const burrowMs = (await outboxEmptiedAt(burrow.page)) - started;

  const baseline = await rig.chromium.newDevice();
  const page = await baseline.newPage();
  await page.goto(`${rig.proxy.url}${BASELINE_SCOPE}`);
  const account = new ApiClient(rig.serverUrl);
  const signUp = await account.signUp(`workbox-${newId().slice(-12)}@example.test`, PASSWORD);
  await baseline.addCookies(
    account
      .cookieHeader()
      .split('; ')
      .map((pair) => ({ name: pair.split('=')[0], value: pair.slice(pair.indexOf('=') + 1), url: rig.proxy.url })),
  );
  await enqueueBaseline(page, {
    clientId: newId(),
    workspaceId: signUp.body.workspaces[0].id,
    fields: CARD,
    count: DRAIN_MUTATIONS,
  });
  await page.waitForTimeout(REST_MS);
  const workboxMs = await replayBaseline(page);
  const applied = (await account.pullAll(0)).changes.filter((change) => change.table === 'cards').length;
  if (applied !== DRAIN_MUTATIONS) throw new Error(`the Workbox baseline applied ${applied} of ${DRAIN_MUTATIONS}`);
  await baseline.close();

  return {
    page: burrow.page,
    ids,
    rows: [
      benchRow({
        name: `drain ${DRAIN_MUTATIONS} offline mutations until acknowledged (Workbox Queue replay = baseline; speed-up = baseline / value)`,
        value: burrowMs,
        unit: 'ms',
        baseline: workboxMs,
        target: { on: 'ratio', atMost: 1 / 50 },
      }),
    ],
  };
}

/**
 * The wall-clock time at which the page's outbox became empty, learnt in the page from its status
 * stream: polling from here would take CPU from the drain on these two cores (the Workbox side
 * is timed inside its worker, without polling, too).
 */
function outboxEmptiedAt(page: Page): Promise<number> {
  return inPage(
    page,
    (burrow) =>
      new Promise<number>((resolve, reject) => {
        // No named functions here: the runner's transform would wrap them in a helper the page lacks.
        setTimeout(() => reject(new Error('the outbox was not empty after 10 minutes')), 600_000);
        const stop = burrow.onStatus((status) => {
          if (status.pending > 0) return;
          stop();
          resolve(Date.now());
        });
        if (burrow.status().pending === 0) resolve(Date.now());
      }),
  );
}

/**
 * p50/p99 of `update` commits on a device holding 10,000 records (the drain's), at rest: the
 * browser goes on tearing down the Workbox baseline's context (10,000 requests, its own worker)
 * after it closed, and commits timed in that window measured the teardown (p99 20–22 ms there,
 * 3.8 ms on the same device 30 s later).
 */
async function benchCommitLatency(page: Page, ids: string[]): Promise<BenchRow[]> {
  await page.waitForTimeout(REST_MS);
  const samples = await inPage(
    page,
    async (client, arg) => {
      const times: number[] = [];
      for (let i = 0; i < arg.samples; i++) {
        const id = arg.ids[(i * 7919) % arg.ids.length];
        const started = performance.now();
        await client.update('cards', id, { title: `latency ${i}` });
        times.push(performance.now() - started);
      }
      return times;
    },
    { samples: COMMIT_SAMPLES, ids },
  );
  return [
    benchRow({
      name: `local commit p50 (${ids.length} records present)`,
      value: percentile(samples, 0.5),
      unit: 'ms',
      target: { on: 'value', atMost: 3 },
    }),
    benchRow({
      name: `local commit p99 (${ids.length} records present)`,
      value: percentile(samples, 0.99),
      unit: 'ms',
      target: { on: 'value', atMost: 16 },
    }),
  ];
}

/**
 * Seeds 100,000 cards through the API, then times new devices' initial syncs against a raw
 * IndexedDB put of the same records, in paired runs. One pair's ratio spread 1.15–1.87 on the
 * same code, as the machine's speed drifted under both halves: the figure is the median pair.
 */
async function benchInitialSync(rig: Rig): Promise<BenchRow[]> {
  const account = await seedInitialSync(rig);
  const pairs: { burrowMs: number; rawMs: number }[] = [];
  for (let run = 1; run <= INITIAL_SYNC_RUNS; run++) {
    const pair = await initialSyncPair(rig, account);
    progress(`initial sync run ${run}: ${pair.burrowMs} ms, raw put ${pair.rawMs} ms`);
    pairs.push(pair);
  }
  const ratioOf = (pair: { burrowMs: number; rawMs: number }) => pair.burrowMs / pair.rawMs;
  const median = [...pairs].sort((a, b) => ratioOf(a) - ratioOf(b))[Math.floor(pairs.length / 2)];
  const what = `initial sync of ${INITIAL_SYNC_RECORDS} records from cursor 0 (raw IndexedDB put of the same records = baseline)`;
  return [
    benchRow({
      name: `${what}, median of ${pairs.length} paired runs`,
      value: median.burrowMs,
      unit: 'ms',
      baseline: median.rawMs,
      target: { on: 'ratio', atMost: 1.5 },
    }),
    ...pairs.map((pair, index) =>
      benchRow({ name: `${what}, run ${index + 1}`, value: pair.burrowMs, unit: 'ms', baseline: pair.rawMs }),
    ),
  ];
}

/** An account holding INITIAL_SYNC_RECORDS cards, and the cursor of the last. */
async function seedInitialSync(rig: Rig): Promise<{ email: string; cursor: number }> {
  const email = `initial-${newId().slice(-12)}@example.test`;
  const seeder = new ApiClient(rig.serverUrl);
  const signUp = await seeder.signUp(email, PASSWORD);
  const workspaceId = signUp.body.workspaces[0].id;
  const builder = new MutationBuilder();
  let cursor = 0;
  const perPush = LIMITS.maxMutationsPerPush;
  for (let done = 0; done < INITIAL_SYNC_RECORDS; done += perPush) {
    const mutations = Array.from({ length: Math.min(perPush, INITIAL_SYNC_RECORDS - done) }, (_, i) =>
      builder.create('cards', workspaceId, { ...CARD, title: `seed ${done + i}` }),
    );
    const pushed = await seeder.push(mutations);
    if (pushed.status !== 200) throw new Error(`seeding answered ${pushed.status}`);
    cursor = pushed.body.cursor;
  }
  return { email, cursor };
}

/**
 * A new device signs in and syncs from cursor 0; then, in the same browser, the raw put. Each
 * half starts from a browser at rest: a put just after the sync's shared the CPU with the
 * browser still compacting the sync's writes.
 */
async function initialSyncPair(rig: Rig, account: { email: string; cursor: number }) {
  const context = await rig.chromium.newDevice();
  const page = await openApp(context, rig.proxy.url);
  await page.evaluate(`window.syncTimes = {};
    window.syncTrace = [];
    window.burrow.onStatus((status) => {
      if (status.initialSync) window.syncTrace.push([performance.now(), status.initialSync.received]);
      if (status.initialSync && !window.syncTimes.started) window.syncTimes.started = performance.now();
      if (!status.initialSync && status.cursor >= ${account.cursor} && !window.syncTimes.done) window.syncTimes.done = performance.now();
    });`);
  await page.waitForTimeout(REST_MS);
  await inPage(
    page,
    async (client, arg) => {
      await client.signIn(arg.email, arg.password);
      (globalThis as unknown as { syncTimes: Record<string, number> }).syncTimes.signedIn = performance.now();
    },
    { email: account.email, password: PASSWORD },
  );
  // The end is stamped in the page; polling more often would take the page's CPU from the sync.
  await waitForPage(page, 'window.syncTimes.done !== undefined', {
    timeoutMs: 600_000,
    intervalMs: 500,
    message: 'the initial sync to finish',
  });
  const times = (await page.evaluate('window.syncTimes')) as { started?: number; signedIn: number; done: number };
  const burrowMs = Math.round(times.done - Math.min(times.started ?? times.signedIn, times.signedIn));
  if (TRACE) reportInitialSyncTrace(times, (await page.evaluate('window.syncTrace')) as [number, number][]);
  const stored = await inPage(page, async (client) => (await client.list('cards')).length);
  if (stored !== INITIAL_SYNC_RECORDS) throw new Error(`initial sync stored ${stored} of ${INITIAL_SYNC_RECORDS}`);

  await page.waitForTimeout(REST_MS);
  const rawMs = Math.round((await page.evaluate(RAW_PUT_SOURCE)) as number);
  await context.close();
  return { burrowMs, rawMs };
}

/** With BURROW_BENCH_TRACE=1: when each progress report arrived, so the slow pages show. */
function reportInitialSyncTrace(times: { signedIn: number; done: number }, trace: [number, number][]): void {
  let previous = times.signedIn;
  const lines = trace.map(([at, received]) => {
    const line = `  ${received} received at +${Math.round(at - times.signedIn)} ms (step ${Math.round(at - previous)} ms)`;
    previous = at;
    return line;
  });
  progress(`initial sync trace:\n${lines.join('\n')}\n  done at +${Math.round(times.done - times.signedIn)} ms`);
}

// In the page: fetch every pull page (not timed), then time a bulk put of those envelopes into a
// fresh database, one transaction per page, no await per request: the fastest plain IndexedDB way.
const RAW_PUT_SOURCE = `(async () => {
  const pages = [];
  let cursor = 0;
  for (;;) {
    const page = await (await fetch('/api/sync/pull?limit=5000&cursor=' + cursor)).json();
    pages.push(page.changes);
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('raw-put-baseline-' + Math.random(), 1);
    request.onupgradeneeded = () => request.result.createObjectStore('records', { keyPath: ['table', 'id'] });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const started = performance.now();
  for (const changes of pages) {
    await new Promise((resolve, reject) => {
      const transaction = db.transaction('records', 'readwrite');
      const store = transaction.objectStore('records');
      for (const change of changes) store.put(change);
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
    });
  }
  const elapsed = performance.now() - started;
  db.close();
  return elapsed;
})()`;

/**
 * Commit on one device until visible (a change notice from a pull) on another of the same
 * account; the phone may talk to another server process (`phoneOrigin`) than the laptop. Both
 * talk to their server directly: the fault proxy, a Node process of its own on the same two
 * cores, is for the drain's faults, and would add its hop to every request and poke.
 */
async function benchCrossDevice(
  chromium: Devices,
  laptopOrigin: string,
  phoneOrigin = laptopOrigin,
  where = 'loopback',
  targetMs = 25,
): Promise<BenchRow[]> {
  const email = `cross-${newId().slice(-12)}@example.test`;
  const laptop = await signedUpDevice(chromium, laptopOrigin, email);
  const phone = await signedUpDevice(chromium, phoneOrigin, email, 'signIn');
  await phone.page.evaluate(`window.seenAt = {};
    window.burrow.subscribe((notice) => {
      for (const record of notice.records) window.seenAt[record.id] ??= performance.timeOrigin + performance.now();
    });`);
  const samples: number[] = [];
  for (let i = 0; i < CROSS_DEVICE_SAMPLES; i++) {
    await new Promise((resolve) => setTimeout(resolve, CROSS_DEVICE_REST_MS));
    const { id, committedAt } = await inPage(
      laptop.page,
      async (client, arg) => {
        const committedAt = performance.timeOrigin + performance.now();
        const record = await client.create(
          'cards',
          { ...arg.card, title: `cross ${arg.i}` },
          { workspaceId: arg.workspaceId },
        );
        return { id: record.id, committedAt };
      },
      { card: CARD, i, workspaceId: laptop.workspaceId },
    );
    const seenAt = await waitForPage<number>(phone.page, `window.seenAt[${JSON.stringify(id)}]`, {
      intervalMs: 5,
      message: 'the card on the other device',
    });
    samples.push(seenAt - committedAt);
  }
  await closeAll([laptop.context, phone.context]);
  return [
    benchRow({
      name: `cross-device commit → visible p50 (${where})`,
      value: percentile(samples, 0.5),
      unit: 'ms',
      target: { on: 'value', atMost: targetMs },
    }),
    benchRow({ name: `cross-device commit → visible p99 (${where})`, value: percentile(samples, 0.99), unit: 'ms' }),
  ];
}

/** The laptop on one server process, the phone on another, both on one PostgreSQL database. */
async function benchCrossProcess(chromium: Devices): Promise<BenchRow[]> {
  const cluster = await startPgCluster({ fsync: true });
  const servers: ServerProcess[] = [];
  try {
    await cluster.psql('CREATE DATABASE burrow');
    for (let i = 0; i < 2; i++) servers.push(await startServer({ env: { DATABASE_URL: cluster.url('burrow') } }));
    return await benchCrossDevice(chromium, servers[0].url, servers[1].url, 'loopback, 2 processes on PostgreSQL', 50);
  } finally {
    for (const server of servers) await server.stop();
    await cluster.stop();
  }
}

function runs(part: string): boolean {
  return ONLY === undefined || ONLY.includes(part);
}

/** Progress on stderr, so a long run shows where it is. */
function progress(step: string): void {
  process.stderr.write(`engine bench: ${step}\n`);
}

async function closeAll(contexts: BrowserContext[]): Promise<void> {
  for (const context of contexts) await context.close();
}

async function main(): Promise<void> {
  ensureAppBuilt();
  const server = await startServer();
  const proxy = await startFaultProxy(server.url);
  await serveWorkboxBaseline(proxy);
  // Every device on disk, as installed: see `launchDiskDevices` for what in-memory storage did to the figures.
  const chromium = launchDiskDevices();
  const rig: Rig = { serverUrl: server.url, proxy, chromium };
  const rows: BenchRow[] = [];
  try {
    if (runs('drain')) {
      progress(`drain: ${DRAIN_MUTATIONS} offline commits, then Burrow vs Workbox replay`);
      const drain = await benchDrain(rig);
      rows.push(...drain.rows);
      progress('local commit latency');
      rows.push(...(await benchCommitLatency(drain.page, drain.ids)));
      await drain.page.context().close();
    }
    if (runs('cross')) {
      progress('cross-device latency');
      rows.push(...(await benchCrossDevice(rig.chromium, rig.serverUrl)));
    }
    if (runs('cross-pg')) {
      progress('cross-device latency across two server processes on PostgreSQL');
      rows.push(...(await benchCrossProcess(chromium)));
    }
    if (runs('initial')) {
      progress(`initial sync: seeding ${INITIAL_SYNC_RECORDS} records, then Burrow vs raw put`);
      rows.push(...(await benchInitialSync(rig)));
    }
  } finally {
    await chromium.close();
    await proxy.close();
    await server.stop();
    if (rows.length > 0) {
      const file = await writeBenchResults('engine', rows);
      console.log(`${markdownTable(rows)}\n\nwritten to ${file}`);
    }
  }
}

await main();
