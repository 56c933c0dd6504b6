/**
 * `npm run load`: 50 simulated clients push and pull, on SQLite (1 process) and on PostgreSQL
 * (1 and 3 processes, clients spread over them), each with group commit on and off, in one run;
 * fails on any error or lost/duplicated write. `--setups sqlite,pg1,pg3`, `--group-commit on,off`.
 */
import { parseArgs } from 'node:util';
import { LIMITS, type Mutation, type PullResponse, type PushResponse } from '../../protocol/index.ts';
import { startPgCluster } from '../../server/test-support/pg-cluster.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { type LoadClient, signUpClient } from './load-client.ts';
import { percentile } from './percentile.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    batch: { type: 'string', default: '20' },
    setups: { type: 'string', default: 'sqlite,pg1,pg3' },
    'group-commit': { type: 'string', default: 'on,off' },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const BATCH = Number(values.batch);
const SETUPS = values.setups.split(',') as Setup[];
const GROUP_COMMIT = values['group-commit'].split(',');

type Setup = 'sqlite' | 'pg1' | 'pg3';

interface Tally {
  pushLatencies: number[];
  pullLatencies: number[];
  errors: string[];
  mutations: number;
}

/** One client's loop: push a batch (creates and updates of its own cards), then pull. */
async function runClient(client: LoadClient, deadline: number, tally: Tally): Promise<void> {
  while (Date.now() < deadline) {
    const mutations: Mutation[] = [];
    for (let i = 0; i < BATCH; i++) mutations.push(client.nextMutation());
    const started = performance.now();
    const push = await client.request('POST', '/api/sync/push', {
      body: { protocol: 1, clientId: client.clientId, mutations },
      idempotencyKey: `${client.clientId}.${mutations[0].seq}.${mutations.at(-1)!.seq}`,
    });
    tally.pushLatencies.push(performance.now() - started);
    if (push.status !== 200) {
      tally.errors.push(`push ${push.status}: ${JSON.stringify(push.body)}`);
      return;
    }
    client.acknowledge(mutations, push.body as PushResponse);
    tally.mutations += mutations.length;
    const pullStarted = performance.now();
    const pull = await client.request('GET', `/api/sync/pull?cursor=${client.cursor}&limit=${LIMITS.pullMaxLimit}`);
    tally.pullLatencies.push(performance.now() - pullStarted);
    if (pull.status !== 200) {
      tally.errors.push(`pull ${pull.status}: ${JSON.stringify(pull.body)}`);
      return;
    }
    client.cursor = (pull.body as PullResponse).cursor;
  }
}

/** Reads everything the client's account holds and compares it with what it was told was applied. */
async function verifyClient(client: LoadClient): Promise<{ lost: number; duplicated: number; unexpected: string[] }> {
  const seen = new Map<string, number>();
  let cursor = 0;
  for (;;) {
    const pull = await client.request('GET', `/api/sync/pull?cursor=${cursor}&limit=${LIMITS.pullMaxLimit}`);
    const page = pull.body as PullResponse;
    for (const change of page.changes) {
      if (change.table === 'cards') seen.set(change.id, (seen.get(change.id) ?? 0) + change.version);
    }
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  return client.compare(seen);
}

interface Figures {
  setup: string;
  seconds: number;
  mutations: number;
  throughput: number;
  push: [number, number];
  pull: [number, number];
  errors: string[];
  lost: number;
  duplicated: number;
}

/** One setup: its servers, the clients spread over them, the run and the check. */
async function runSetup(label: string, servers: ServerProcess[]): Promise<Figures> {
  // One at a time: password hashing is gated (a crowd of sign-ups gets 503 server-busy by design),
  // and sign-up is not what this run measures.
  const clients: LoadClient[] = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(await signUpClient(servers[i % servers.length].url, i));
  const tally: Tally = { pushLatencies: [], pullLatencies: [], errors: [], mutations: 0 };
  const started = performance.now();
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(clients.map((client) => runClient(client, deadline, tally)));
  const elapsed = (performance.now() - started) / 1000;
  let lost = 0;
  let duplicated = 0;
  for (const client of clients) {
    const result = await verifyClient(client);
    lost += result.lost;
    duplicated += result.duplicated;
    tally.errors.push(...result.unexpected);
  }
  return {
    setup: label,
    seconds: elapsed,
    mutations: tally.mutations,
    throughput: tally.mutations / elapsed,
    push: [percentile(tally.pushLatencies, 50), percentile(tally.pushLatencies, 99)],
    pull: [percentile(tally.pullLatencies, 50), percentile(tally.pullLatencies, 99)],
    errors: tally.errors,
    lost,
    duplicated,
  };
}

async function main(): Promise<void> {
  const needsPostgres = SETUPS.some((setup) => setup !== 'sqlite');
  // fsync on: commits cost what they cost on a real disk, which is what group commit saves.
  const cluster = needsPostgres ? await startPgCluster({ fsync: true }) : null;
  const results: Figures[] = [];
  try {
    let databases = 0;
    for (const setup of SETUPS) {
      for (const groupCommit of GROUP_COMMIT) {
        const env: Record<string, string> = {
          BURROW_LOG: 'silent',
          BURROW_SKIP_BUILD: '1',
          BURROW_SCRYPT_COST: '1024',
          // Fifty clients share one loopback address here; the per-address cap is for strangers.
          BURROW_MAX_CONNECTIONS_PER_ADDRESS: '0',
          BURROW_GROUP_COMMIT: groupCommit === 'on' ? '1' : '0',
        };
        if (cluster) {
          const name = `load_${++databases}`;
          await cluster.psql(`CREATE DATABASE ${name}`);
          if (setup !== 'sqlite') env.DATABASE_URL = cluster.url(name);
        }
        const count = setup === 'pg3' ? 3 : 1;
        const servers: ServerProcess[] = [];
        try {
          for (let i = 0; i < count; i++) servers.push(await startServer({ env }));
          const label = `${setup === 'sqlite' ? 'SQLite, 1 process' : `PostgreSQL, ${count} process${count > 1 ? 'es' : ''}`}, group commit ${groupCommit}`;
          const figures = await runSetup(label, servers);
          results.push(figures);
          console.error(`${label}: ${figures.throughput.toFixed(0)} mutations/s`);
        } finally {
          await Promise.all(servers.map((server) => server.stop()));
        }
      }
    }
  } finally {
    await cluster?.stop();
  }
  console.log(`${CLIENTS} clients, ${SECONDS} s per setup, batches of ${BATCH}\n`);
  console.log('| setup | mutations/s | push p50 / p99 (ms) | pull p50 / p99 (ms) | errors | lost | duplicated |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const ms = ([a, b]: [number, number]) => `${a.toFixed(1)} / ${b.toFixed(1)}`;
    console.log(
      `| ${r.setup} | ${r.throughput.toFixed(0)} | ${ms(r.push)} | ${ms(r.pull)} | ${r.errors.length} | ${r.lost} | ${r.duplicated} |`,
    );
  }
  for (const error of results.flatMap((r) => r.errors).slice(0, 10)) console.error(`error: ${error}`);
  const clean = results.every((r) => r.errors.length === 0 && r.lost === 0 && r.duplicated === 0);
  process.exitCode = clean ? 0 : 1;
}

await main();
