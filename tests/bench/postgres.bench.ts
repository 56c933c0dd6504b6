/**
 * `npm run bench` (PostgreSQL part): the PostgreSQL store's push apply at batches of 1, 100 and
 * 500 against the limit, a raw multi-row insert of the same rows through the same driver (one
 * transaction per batch), on a throwaway cluster with fsync on. Interleaved in rotating rounds,
 * as in server.bench.ts, so a busy spell on this shared machine slows both sides.
 */
import { performance } from 'node:perf_hooks';
import { type Mutation, newId, PROTOCOL_VERSION, type PushRequest } from '../../protocol/index.ts';
import { connect, type Sql } from '../../server/storage/postgres/connect.ts';
import { openPostgresStore } from '../../server/storage/postgres-store.ts';
import { startPgCluster } from '../../server/test-support/pg-cluster.ts';
import { MutationBuilder, noteCard } from '../support/api-client.ts';
import { type BenchRow, benchRow, markdownTable, writeBenchResults } from './bench-report.ts';

const BATCH_SIZES = [1, 100, 500] as const;
type BatchSize = (typeof BATCH_SIZES)[number];
const TIMED_MUTATIONS: Record<BatchSize, number> = { 1: 300, 100: 10_000, 500: 20_000 };
const WARMUP_BATCHES = 5;
const ROUNDS = 10;

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

/** The limit: the same rows in one unnest insert per batch, in a transaction, through the same driver. */
function rawInserter(sql: Sql, userId: string, workspaceId: string) {
  let seq = 1_000_000;
  return async (request: PushRequest) => {
    const now = new Date().toISOString();
    const rows = request.mutations.map((mutation) => {
      const keys = Object.keys(mutation.fields ?? {});
      return [
        mutation.table,
        mutation.recordId,
        ++seq,
        JSON.stringify(mutation.fields),
        JSON.stringify(Object.fromEntries(keys.map((key) => [key, 1]))),
        JSON.stringify(Object.fromEntries(keys.map((key) => [key, request.clientId]))),
      ] as const;
    });
    await sql.begin(
      (tx) => tx`INSERT INTO records(tbl, id, workspace_id, owner_id, version, seq, deleted, created_at, updated_at,
        fields, field_versions, field_writers)
        SELECT tbl, id, ${workspaceId}, ${userId}, 1, seq, false, ${now}, ${now}, fields, versions, writers
          FROM unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::text[], ${rows.map((r) => r[2])}::bigint[],
            ${rows.map((r) => r[3])}::text[], ${rows.map((r) => r[4])}::text[], ${rows.map((r) => r[5])}::text[])
            AS v(tbl, id, seq, fields, versions, writers)`,
    );
  };
}

async function timeInterleaved(
  contenders: { name: string; run: (request: PushRequest) => Promise<void> }[],
  rounds: Map<string, PushRequest[][]>,
): Promise<Map<string, number>> {
  const seconds = new Map(contenders.map((contender) => [contender.name, 0]));
  const count = rounds.get(contenders[0].name)!.length;
  for (let index = 0; index < count; index++) {
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(index + turn) % contenders.length];
      const started = performance.now();
      for (const request of rounds.get(contender.name)![index]) await contender.run(request);
      seconds.set(contender.name, seconds.get(contender.name)! + (performance.now() - started) / 1000);
    }
  }
  return seconds;
}

function chunk<T>(items: T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

async function main(): Promise<void> {
  const cluster = await startPgCluster({ fsync: true });
  try {
    await cluster.psql('CREATE DATABASE bench_store');
    await cluster.psql('CREATE DATABASE bench_raw');
    const store = await openPostgresStore(cluster.url('bench_store'));
    const rawStore = await openPostgresStore(cluster.url('bench_raw'));
    const account = await store.createUser({ email: 'bench@example.test', passwordHash: 'x', workspaceName: 'Bench' });
    const rawAccount = await rawStore.createUser({
      email: 'bench@example.test',
      passwordHash: 'x',
      workspaceName: 'B',
    });
    await rawStore.close();
    const rawSql = connect(cluster.url('bench_raw'), { max: 2 });
    const raw = rawInserter(rawSql, rawAccount.user.id, rawAccount.workspaces[0].id);
    // Each side its own rows: the same shapes, ids of its own (records are keyed by id).
    const storePushes = buildPushes(account.workspaces[0].id);
    const rawPushes = buildPushes(rawAccount.workspaces[0].id);
    const rows: BenchRow[] = [];
    try {
      for (const size of BATCH_SIZES) {
        console.log(`postgres push: batches of ${size}…`);
        const contenders = [
          { name: 'raw', run: raw },
          {
            name: 'store',
            run: async (request: PushRequest) => {
              const response = await store.push(account.user.id, request, {
                idempotency: { key: newId(), fingerprint: newId() },
              });
              if (response.status !== 200) throw new Error(`store push answered ${response.status}`);
            },
          },
        ];
        const lists = { raw: rawPushes.get(size)!, store: storePushes.get(size)! };
        await timeInterleaved(
          contenders,
          new Map([
            ['raw', [lists.raw.slice(0, WARMUP_BATCHES)]],
            ['store', [lists.store.slice(0, WARMUP_BATCHES)]],
          ]),
        );
        const timed = { raw: lists.raw.slice(WARMUP_BATCHES), store: lists.store.slice(WARMUP_BATCHES) };
        const seconds = await timeInterleaved(
          contenders,
          new Map([
            ['raw', chunk(timed.raw, ROUNDS)],
            ['store', chunk(timed.store, ROUNDS)],
          ]),
        );
        const rate = (name: 'raw' | 'store') => (timed[name].length * size) / seconds.get(name)!;
        rows.push(
          benchRow({
            name: `PostgreSQL push apply, store, batch ${size}`,
            value: rate('store'),
            unit: 'mutations/s',
            baseline: rate('raw'),
            target: { on: 'ratio', atLeast: 0.5 },
          }),
        );
      }
    } finally {
      await store.close();
      await rawSql.end();
    }
    console.log(`\n${markdownTable(rows)}\n`);
    console.log(`written to ${await writeBenchResults('postgres', rows)}`);
  } finally {
    await cluster.stop();
  }
}

await main();
