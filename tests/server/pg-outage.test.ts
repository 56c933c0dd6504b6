/**
 * PostgreSQL unreachable under a Burrow process: while it is stopped, and when a connection is
 * terminated under a request, every answer that needs it is 503 problem+json
 * `database-unavailable` with `Retry-After` (never a 500), and once it is back the same requests
 * succeed with nothing acknowledged lost. The cluster is the test's own: it is stopped on purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mutation, newId } from '../../protocol/index.ts';
import { connect, type Sql } from '../../server/storage/postgres/connect.ts';
import { type PgCluster, startPgCluster } from '../../server/test-support/pg-cluster.ts';
import { ApiClient, type ApiResponse, MutationBuilder, noteCard } from '../support/api-client.ts';
import { type BurrowCluster, startBurrows } from '../support/burrow-cluster.ts';
import { signUpWithWorkspace, type TestAccount } from './accounts.ts';

let database: PgCluster;
let burrows: BurrowCluster;
let client: ApiClient;
let account: TestAccount;
const builder = new MutationBuilder();

beforeAll(async () => {
  database = await startPgCluster();
  await database.psql('CREATE DATABASE burrow');
  burrows = await startBurrows(1, database.url('burrow'));
  client = new ApiClient(burrows.urls[0]);
  account = await signUpWithWorkspace(client);
});

afterAll(async () => {
  await burrows?.stop();
  await database?.stop();
});

/** The answer is the transient refusal a client waits out and repeats. */
function expectUnavailable(answer: ApiResponse<unknown>): void {
  expect({ status: answer.status, code: answer.problem?.code }).toEqual({ status: 503, code: 'database-unavailable' });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
}

/** Pushes `mutations` under `key` until it is acknowledged, as the outbox does after a 503. */
async function deliver(mutations: Mutation[], key: string) {
  for (let attempt = 1; attempt <= 200; attempt++) {
    const answer = await client.push(mutations, { key });
    if (answer.status === 200) return answer;
    expectUnavailable(answer);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the push was never acknowledged');
}

describe('PostgreSQL unreachable', () => {
  it('answers 503 database-unavailable while it is stopped, and recovers with nothing lost', async () => {
    const before = builder.create('cards', account.workspaceId, noteCard({ title: 'before' }));
    expect((await client.push([before])).status).toBe(200);

    const during = builder.create('cards', account.workspaceId, noteCard({ title: 'during' }));
    const key = newId();
    await database.pause();
    try {
      expectUnavailable(await client.push([during], { key }));
      expectUnavailable(await client.pull(0));
      expectUnavailable(await client.me());
      expectUnavailable(await client.list('cards'));
      expectUnavailable(await client.signIn(account.email, account.password));
      expect((await client.request('GET', '/api/health')).status).toBe(200);
    } finally {
      await database.resume();
    }
    await deliver([during], key);
    const titles = (await client.pullAll(0)).changes
      .filter((change) => change.table === 'cards')
      .map((change) => (change.fields as { title: string }).title);
    expect(titles.sort()).toEqual(['before', 'during']);
  });

  it('answers 503 when its connection is terminated under a request, and the repeat is applied once', async () => {
    const admin: Sql = connect(database.url('burrow'), { max: 2 });
    try {
      // Hold the seq counter's row, so the next push waits inside its transaction.
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = admin.begin(async (tx) => {
        await tx`SELECT value FROM counters WHERE name = 'seq' FOR UPDATE`;
        locked();
        await held;
      });
      await isLocked;
      const note = builder.create('cards', account.workspaceId, noteCard({ title: 'terminated' }));
      const key = newId();
      const pushing = client.push([note], { key });
      await waitFor(async () => {
        const [row] = await admin<{ waiting: number }[]>`SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE application_name LIKE 'burrow-%' AND wait_event_type = 'Lock'`;
        return row.waiting > 0;
      });
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'burrow-%'`;
      expectUnavailable(await pushing);
      release();
      await holder;

      const acknowledged = await deliver([note], key);
      expect(acknowledged.body.results.map((result) => result.status)).toEqual(['applied']);
      const copies = (await client.pullAll(0)).changes.filter((change) => change.id === note.recordId);
      expect(copies).toHaveLength(1);
    } finally {
      await admin.end();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the condition never held');
}
