/** `npm run load`: 50 simulated clients push and pull against one server; fails on any error or lost/duplicated write. */
import { parseArgs } from 'node:util';
import { LIMITS, type Mutation, type PullResponse, type PushResponse } from '../../protocol/index.ts';
import { startServer } from '../support/server-process.ts';
import { type LoadClient, signUpClient } from './load-client.ts';
import { percentile } from './percentile.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    batch: { type: 'string', default: '20' },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const BATCH = Number(values.batch);

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

async function main(): Promise<void> {
  const server = await startServer({ env: { BURROW_LOG: 'silent', BURROW_SKIP_BUILD: '1' } });
  try {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => signUpClient(server.url, i)));
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
    const rows = [
      ['clients', CLIENTS],
      ['seconds', elapsed.toFixed(1)],
      ['mutations applied', tally.mutations],
      ['throughput (mutations/s)', (tally.mutations / elapsed).toFixed(0)],
      ['push requests', tally.pushLatencies.length],
      [
        'push p50 / p99 (ms)',
        `${percentile(tally.pushLatencies, 50).toFixed(1)} / ${percentile(tally.pushLatencies, 99).toFixed(1)}`,
      ],
      [
        'pull p50 / p99 (ms)',
        `${percentile(tally.pullLatencies, 50).toFixed(1)} / ${percentile(tally.pullLatencies, 99).toFixed(1)}`,
      ],
      ['errors', tally.errors.length],
      ['lost', lost],
      ['duplicated', duplicated],
    ];
    for (const [name, value] of rows) console.log(`${String(name).padEnd(26)} ${value}`);
    for (const error of tally.errors.slice(0, 10)) console.error(`error: ${error}`);
    process.exitCode = tally.errors.length === 0 && lost === 0 && duplicated === 0 ? 0 : 1;
  } finally {
    await server.stop();
  }
}

await main();
