/**
 * A PostgreSQL crash (`pg_ctl restart -m immediate`, no checkpoint, recovery at start) under two
 * Burrow processes while clients push through both: every acknowledged push survives, once,
 * and the clients recover by resending what was not acknowledged; every refusal meanwhile is 503
 * `database-unavailable`, never a 500. The cluster is the test's
 * own, with fsync on (the shared one runs with fsync off) and synchronous_commit as shipped (on).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type Mutation, newId } from '../../protocol/index.ts';
import { connect } from '../../server/storage/postgres/connect.ts';
import { type PgCluster, startPgCluster } from '../../server/test-support/pg-cluster.ts';
import { ApiClient, MutationBuilder, noteCard } from '../support/api-client.ts';
import { type BurrowCluster, startBurrows } from '../support/burrow-cluster.ts';
import { signUpWithWorkspace } from './accounts.ts';

let database: PgCluster | undefined;
let burrows: BurrowCluster | undefined;

afterAll(async () => {
  await burrows?.stop();
  await database?.stop();
});

/** Every answer other than 200 the clients got around the restart: status and problem code. */
const refusals: string[] = [];

/** Pushes `mutations` under one key until the server answers 200 (as the outbox does on 5xx and network errors). */
async function deliver(client: ApiClient, mutations: Mutation[], key: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const answer = await client.push(mutations, { key }).catch(() => null);
    if (answer?.status === 200) return attempt;
    refusals.push(answer ? `${answer.status} ${answer.problem?.code}` : 'network error');
    if (attempt > 200) throw new Error(`push not delivered: ${answer?.status} ${JSON.stringify(answer?.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('PostgreSQL restarted with -m immediate under two Burrow processes', () => {
  it('keeps every acknowledged push once, and the clients recover', async () => {
    database = await startPgCluster({ fsync: true });
    await database.psql('CREATE DATABASE burrow');
    const url = database.url('burrow');
    const admin = connect(url, { max: 1 });
    expect(
      (await admin<{ setting: string }[]>`SELECT current_setting('synchronous_commit') AS setting`)[0].setting,
    ).toBe('on');
    expect((await admin<{ setting: string }[]>`SELECT current_setting('fsync') AS setting`)[0].setting).toBe('on');
    await admin.end();
    burrows = await startBurrows(2, url);

    const writers = await Promise.all(
      burrows.urls.map(async (serverUrl) => {
        const client = new ApiClient(serverUrl);
        return { client, account: await signUpWithWorkspace(client), builder: new MutationBuilder() };
      }),
    );
    const acknowledged = writers.map(() => new Set<string>());
    let retried = 0;
    const write = async (index: number, rounds: number) => {
      const { client, account, builder } = writers[index];
      for (let round = 0; round < rounds; round++) {
        const mutations = [builder.create('cards', account.workspaceId, noteCard({ title: `${index}/${round}` }))];
        const attempts = await deliver(client, mutations, newId());
        retried += attempts - 1;
        acknowledged[index].add(mutations[0].recordId);
      }
    };
    const writing = Promise.all([write(0, 30), write(1, 30)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await database.restart('immediate');
    await writing;

    for (const [index, writer] of writers.entries()) {
      // Read through the other process.
      const reader = writer.client.at(burrows.urls[1 - index]);
      const cards = (await reader.pullAll(0)).changes.filter((change) => change.table === 'cards');
      expect(cards.map((card) => card.id).sort()).toEqual([...acknowledged[index]].sort());
      expect(cards.every((card) => card.version === 1)).toBe(true);
    }
    // While the database was down the server said so (503, a transient answer), never 500.
    expect(refusals.filter((refusal) => refusal !== '503 database-unavailable')).toEqual([]);
    process.stderr.write(`pushes resent around the restart: ${retried}\n`);
  });
});
