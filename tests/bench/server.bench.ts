/**
 * `npm run bench:server`: push apply rate (store and HTTP) against a raw better-sqlite3 insert
 * loop, and pull rate over HTTP against a raw keyset SELECT loop, all in one run.
 *
 * The machine is shared, so the ways being compared run interleaved in small rounds (in a
 * rotating order) and each total is summed over the rounds: a busy spell slows all of them.
 * HTTP figures time the server and the wire: request bodies are serialized beforehand and
 * responses read but not parsed, so the benchmark's own JSON work is not counted against it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { type Mutation, newId, PROTOCOL_VERSION, type PushRequest } from '../../protocol/index.ts';
import { openSqliteStore } from '../../server/storage/sqlite-store.ts';
import { ApiClient, MutationBuilder, noteCard } from '../support/api-client.ts';
import { startServer } from '../support/server-process.ts';
import { type BenchRow, benchRow, markdownTable, writeBenchResults } from './bench-report.ts';

/** The server's database file inside its data dir. */
const DB_FILE = 'burrow.sqlite';
const BATCH_SIZES = [1, 100, 500] as const;
type BatchSize = (typeof BATCH_SIZES)[number];
/** Mutations timed per batch size and way (batch 1 pays one fsync per mutation, so it gets fewer). */
const TIMED_MUTATIONS: Record<BatchSize, number> = { 1: 400, 100: 10_000, 500: 20_000 };
const WARMUP_BATCHES = 5;
const ROUNDS = 10;
const PULL_RECORDS = 100_000;
const PULL_LIMIT = 5000;
const PULL_ROUNDS = 5;

/** One way of doing the same work, timed against the others. */
interface Contender<Work> {
  name: string;
  run(work: Work): Promise<void> | void;
}

/** A data dir holding one signed-up user, as the server made it. */
interface Seed {
  dataDir: string;
  email: string;
  password: string;
  userId: string;
  workspaceId: string;
}

/** Signs up once through a real server, then copies its database into `count` data dirs. */
async function seededDataDirs(count: number): Promise<Seed[]> {
  const origin = await mkdtemp(join(tmpdir(), 'burrow-bench-'));
  const server = await startServer({ dataDir: origin });
  const email = `bench-${newId()}@example.test`;
  const password = 'benchmark password';
  const signup = await new ApiClient(server.url).signUp(email, password);
  await server.stop();
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}`);
  const source = new Database(join(origin, DB_FILE), { readonly: true });
  const seeds: Seed[] = [];
  for (let i = 0; i < count; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'burrow-bench-'));
    await source.backup(join(dataDir, DB_FILE));
    seeds.push({ dataDir, email, password, userId: signup.body.user.id, workspaceId: signup.body.workspaces[0].id });
  }
  source.close();
  await rm(origin, { recursive: true, force: true });
  return seeds;
}

/** Every push request, built up front so only applying them is timed: warm-up ones first. */
function buildPushes(workspaceId: string): Map<BatchSize, PushRequest[]> {
  const requests = new Map<BatchSize, PushRequest[]>();
  const clientId = newId();
  const builder = new MutationBuilder();
  for (const size of BATCH_SIZES) {
    const list: PushRequest[] = [];
    for (let b = 0; b < WARMUP_BATCHES + TIMED_MUTATIONS[size] / size; b++) {
      const mutations: Mutation[] = [];
      for (let m = 0; m < size; m++) {
        mutations.push(builder.create('cards', workspaceId, noteCard({ title: `Card ${size}.${b}.${m}` })));
      }
      list.push({ protocol: PROTOCOL_VERSION, clientId, mutations });
    }
    requests.set(size, list);
  }
  return requests;
}

/** Runs `rounds` rounds of work, each contender in turn (order rotating); seconds per contender. */
async function timeInterleaved<Work>(contenders: Contender<Work>[], rounds: Work[][]): Promise<Map<string, number>> {
  const seconds = new Map(contenders.map((contender) => [contender.name, 0]));
  for (const [index, round] of rounds.entries()) {
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(index + turn) % contenders.length];
      const started = performance.now();
      for (const work of round) await contender.run(work);
      seconds.set(contender.name, seconds.get(contender.name)! + (performance.now() - started) / 1000);
    }
  }
  return seconds;
}

function chunk<T>(items: T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );
}

/**
 * The limit: the same rows inserted by a bare prepared statement, one transaction per batch,
 * into a copy of the server's database (same schema and indexes) with the same pragmas.
 */
function rawInserter(seed: Seed): { run: (request: PushRequest) => void; close: () => void } {
  const db = new Database(join(seed.dataDir, DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  let seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM records').get() as { seq: number }).seq;
  const insert = db.prepare(
    `INSERT INTO records (tbl, id, workspace_id, owner_id, version, seq, deleted, created_at, updated_at,
       fields, field_versions, field_writers, link_url) VALUES (?, ?, ?, ?, 1, ?, 0, ?, ?, ?, ?, ?, NULL)`,
  );
  const insertBatch = db.transaction((request: PushRequest) => {
    const now = new Date().toISOString();
    for (const mutation of request.mutations) {
      const keys = Object.keys(mutation.fields ?? {});
      const versions = JSON.stringify(Object.fromEntries(keys.map((key) => [key, 1])));
      const writers = JSON.stringify(Object.fromEntries(keys.map((key) => [key, request.clientId])));
      insert.run(
        mutation.table,
        mutation.recordId,
        seed.workspaceId,
        seed.userId,
        ++seq,
        now,
        now,
        JSON.stringify(mutation.fields),
        versions,
        writers,
      );
    }
  });
  return { run: (request) => insertBatch(request), close: () => db.close() };
}

async function pushRows(): Promise<BenchRow[]> {
  const [rawSeed, storeSeed, httpSeed] = await seededDataDirs(3);
  const raw = rawInserter(rawSeed);
  const store = openSqliteStore(join(storeSeed.dataDir, DB_FILE));
  const server = await startServer({ dataDir: httpSeed.dataDir });
  const client = new ApiClient(server.url);
  const pushes = buildPushes(storeSeed.workspaceId);
  const bodies = new Map([...pushes.values()].flat().map((request) => [request, JSON.stringify(request)]));
  try {
    if ((await client.signIn(httpSeed.email, httpSeed.password)).status !== 200) throw new Error('sign-in failed');
    const contenders: Contender<PushRequest>[] = [
      { name: 'raw', run: raw.run },
      {
        name: 'store',
        // As the route calls it: with an Idempotency-Key whose response is stored.
        run: async (request) => {
          const response = await store.push(storeSeed.userId, request, {
            idempotency: { key: newId(), fingerprint: newId() },
          });
          if (response.status !== 200) throw new Error(`store push answered ${response.status}: ${response.body}`);
        },
      },
      {
        name: 'http',
        run: async (request) => {
          const response = await fetch(`${server.url}/api/sync/push`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': newId(), cookie: client.cookieHeader() },
            body: bodies.get(request)!,
          });
          const text = await response.text();
          if (response.status !== 200) throw new Error(`HTTP push answered ${response.status}: ${text.slice(0, 300)}`);
        },
      },
    ];
    const rows: BenchRow[] = [];
    for (const size of BATCH_SIZES) {
      console.log(`push: batches of ${size}…`);
      const list = pushes.get(size)!;
      await timeInterleaved(contenders, [list.slice(0, WARMUP_BATCHES)]);
      const timed = list.slice(WARMUP_BATCHES);
      const seconds = await timeInterleaved(contenders, chunk(timed, ROUNDS));
      const rate = (name: string) => (timed.length * size) / seconds.get(name)!;
      rows.push(
        benchRow({
          name: `push apply, store, batch ${size}`,
          value: rate('store'),
          unit: 'mutations/s',
          baseline: rate('raw'),
          target: size === 500 ? { on: 'ratio', atLeast: 0.5 } : undefined,
        }),
        benchRow({
          name: `push apply, HTTP, batch ${size}`,
          value: rate('http'),
          unit: 'mutations/s',
          baseline: rate('raw'),
          target: size === 500 ? { on: 'ratio', atLeast: 0.3 } : undefined,
        }),
      );
    }
    return rows;
  } finally {
    raw.close();
    await store.close();
    await server.stop();
    for (const seed of [rawSeed, storeSeed, httpSeed]) await rm(seed.dataDir, { recursive: true, force: true });
  }
}

/** Fills the data dir with `PULL_RECORDS` cards of its user, through the store, 1000 per push. */
async function seedCards(seed: Seed): Promise<void> {
  const store = openSqliteStore(join(seed.dataDir, DB_FILE));
  const builder = new MutationBuilder();
  const clientId = newId();
  for (let done = 0; done < PULL_RECORDS; done += 1000) {
    const mutations = Array.from({ length: 1000 }, (_, index) =>
      builder.create('cards', seed.workspaceId, noteCard({ title: `Card ${done + index}` })),
    );
    const response = await store.push(seed.userId, { protocol: PROTOCOL_VERSION, clientId, mutations });
    if (response.status !== 200) throw new Error(`seeding answered ${response.status}`);
  }
  await store.close();
}

/** The end of a pull page's JSON: its cursor and whether more follow. */
const PAGE_TAIL = /"cursor":(\d+),"hasMore":(true|false)\}$/;

/** Reads a whole feed from cursor 0 page by page with `readPage`; returns how many changes came. */
async function pullFeed(readPage: (cursor: number) => Promise<string> | string): Promise<number> {
  let cursor = 0;
  let count = 0;
  for (;;) {
    const text = await readPage(cursor);
    const tail = PAGE_TAIL.exec(text);
    if (!tail) throw new Error(`not a pull page: ${text.slice(0, 200)}`);
    // Every envelope starts with its table; inside strings the quotes would be escaped.
    count += text.split('{"table":"').length - 1;
    cursor = Number(tail[1]);
    if (tail[2] === 'false') return count;
  }
}

async function pullRows(): Promise<BenchRow[]> {
  const [seed] = await seededDataDirs(1);
  console.log(`pull: seeding ${PULL_RECORDS} records…`);
  await seedCards(seed);
  const db = new Database(join(seed.dataDir, DB_FILE), { readonly: true });
  const store = openSqliteStore(join(seed.dataDir, DB_FILE));
  const server = await startServer({ dataDir: seed.dataDir });
  try {
    const client = new ApiClient(server.url);
    if ((await client.signIn(seed.email, seed.password)).status !== 200) throw new Error('sign-in failed');
    // The columns a change needs, as arrays (no row objects): the cheapest read of the feed.
    const page = db
      .prepare(
        `SELECT tbl, id, workspace_id, version, seq, deleted, created_at, updated_at, fields
           FROM records WHERE seq > ? ORDER BY seq LIMIT ?`,
      )
      .raw();
    const counts = new Map<string, number>();
    const count = (name: string, changes: number) => counts.set(name, (counts.get(name) ?? 0) + changes);
    const httpPage = async (cursor: number) => {
      const response = await fetch(`${server.url}/api/sync/pull?cursor=${cursor}&limit=${PULL_LIMIT}`, {
        headers: { cookie: client.cookieHeader() },
      });
      if (response.status !== 200) throw new Error(`pull answered ${response.status}`);
      return response.text();
    };
    const contenders: Contender<'feed'>[] = [
      {
        name: 'raw',
        run: () => {
          let cursor = 0;
          for (;;) {
            const rows = page.all(cursor, PULL_LIMIT) as unknown[][];
            count('raw', rows.length);
            if (rows.length < PULL_LIMIT) return;
            cursor = rows[rows.length - 1][4] as number;
          }
        },
      },
      {
        name: 'store',
        run: async () =>
          void count(
            'store',
            await pullFeed(async (cursor) => (await store.pull(seed.userId, cursor, PULL_LIMIT)).toString()),
          ),
      },
      { name: 'http', run: async () => void count('http', await pullFeed(httpPage)) },
      {
        name: 'http+parse',
        run: async () => void count('http+parse', (await client.pullAll(0, PULL_LIMIT)).changes.length),
      },
    ];
    console.log('pull: reading the feed…');
    await timeInterleaved(contenders, [['feed']]);
    counts.clear();
    const seconds = await timeInterleaved(
      contenders,
      Array.from({ length: PULL_ROUNDS }, () => ['feed' as const]),
    );
    const rate = (name: string) => counts.get(name)! / seconds.get(name)!;
    const name = `pull from ${PULL_RECORDS / 1000}k records, limit ${PULL_LIMIT}`;
    return [
      benchRow({ name: `${name}, store`, value: rate('store'), unit: 'changes/s', baseline: rate('raw') }),
      benchRow({
        name: `${name}, HTTP`,
        value: rate('http'),
        unit: 'changes/s',
        baseline: rate('raw'),
        target: { on: 'value', atLeast: 100_000 },
      }),
      benchRow({
        name: `${name}, HTTP + client JSON.parse`,
        value: rate('http+parse'),
        unit: 'changes/s',
        baseline: rate('raw'),
      }),
    ];
  } finally {
    db.close();
    await store.close();
    await server.stop();
    await rm(seed.dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = [...(await pushRows()), ...(await pullRows())];
  console.log(`\n${markdownTable(rows)}\n`);
  console.log(`written to ${await writeBenchResults('server', rows)}`);
}

await main();
