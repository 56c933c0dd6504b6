/**
 * Three Burrow processes on one PostgreSQL database: the pull cursor never skips a change
 * committed by another process, the same push sent to two processes is applied once, pokes and
 * sign-in throttling cross processes, and a process killed mid-push or a database connection
 * terminated under a process loses nothing acknowledged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, type Mutation, newId } from '../../protocol/index.ts';
import { connect } from '../../server/storage/postgres/connect.ts';
import { createTestDatabase } from '../../server/test-support/pg-database.ts';
import { ApiClient, MutationBuilder, noteCard } from '../support/api-client.ts';
import { type BurrowCluster, openPokes, startBurrows } from '../support/burrow-cluster.ts';
import { signUpWithWorkspace, type TestAccount, uniqueEmail } from './accounts.ts';

let cluster: BurrowCluster;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  cluster = await startBurrows(3, databaseUrl);
});
afterAll(async () => {
  await cluster?.stop();
});

interface Writer {
  client: ApiClient;
  account: TestAccount;
  builder: MutationBuilder;
}

async function newWriter(url: string): Promise<Writer> {
  const client = new ApiClient(url);
  const account = await signUpWithWorkspace(client);
  return { client, account, builder: new MutationBuilder() };
}

function cardIds(changes: Envelope[]): string[] {
  return changes.filter((change) => change.table === 'cards').map((change) => change.id);
}

describe('the pull cursor across processes', () => {
  it('never skips a change, with writers on every process and pullers on the others', async () => {
    const writers = await Promise.all(cluster.urls.map((url) => newWriter(url)));
    const created = writers.map(() => new Set<string>());
    const seen = writers.map(() => new Set<string>());
    let writing = true;

    const write = async (writer: Writer, index: number) => {
      for (let round = 0; round < 40; round++) {
        const mutations = [0, 1, 2].map(() =>
          writer.builder.create('cards', writer.account.workspaceId, noteCard({ title: `w${index} r${round}` })),
        );
        const response = await writer.client.push(mutations);
        expect(response.status).toBe(200);
        for (const mutation of mutations) created[index].add(mutation.recordId);
      }
    };
    // Each user's puller reads through the next process, in pages of 2 so its cursor moves often.
    const pullers = writers.map((writer, index) => writer.client.at(cluster.urls[(index + 1) % cluster.urls.length]));
    let cursors = writers.map(() => 0);
    const pull = async (index: number) => {
      while (writing) {
        const page = await pullers[index].pull(cursors[index], 2);
        expect(page.status).toBe(200);
        for (const id of cardIds(page.body.changes)) seen[index].add(id);
        cursors[index] = page.body.cursor;
      }
    };

    const pulling = writers.map((_, index) => pull(index));
    await Promise.all(writers.map((writer, index) => write(writer, index)));
    writing = false;
    await Promise.all(pulling);
    // The last pull from where each puller stopped: whatever its cursor passed is never read again.
    cursors = await Promise.all(
      pullers.map(async (puller, index) => {
        const rest = await puller.pullAll(cursors[index], 2);
        for (const id of cardIds(rest.changes)) seen[index].add(id);
        return rest.cursor;
      }),
    );
    const skipped = created.map((ids, index) => [...ids].filter((id) => !seen[index].has(id)).length);
    expect(skipped).toEqual([0, 0, 0]);
    expect(created.map((ids) => ids.size)).toEqual([120, 120, 120]);
  });
});

describe('the same push at two processes at once', () => {
  it('is applied once, whether it carries the same Idempotency-Key or another', async () => {
    const writer = await newWriter(cluster.urls[0]);
    const [first, second] = [writer.client, writer.client.at(cluster.urls[1])];
    const cards = new Map<string, { id: string; workspaceId: string; version: number }>();
    for (let round = 0; round < 12; round++) {
      // Creates, then updates alone: two processes racing on an update meet no unique key to
      // stop the second, only the locks on the user and client rows.
      const earlier = round >= 4 ? [...cards.values()][round - 4] : undefined;
      const mutations: Mutation[] = earlier
        ? [writer.builder.update('cards', earlier, { title: `updated in ${round}` })]
        : [writer.builder.create('cards', writer.account.workspaceId, noteCard({ title: `round ${round}` }))];
      const sameKey = round % 2 === 0;
      const key = newId();
      const [a, b] = await Promise.all([
        first.push(mutations, { key }),
        second.push(mutations, { key: sameKey ? key : newId() }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const statuses = [a, b].map((response) => response.body.results.map((result) => result.status));
      if (sameKey) {
        // One ran, the other replayed its stored answer.
        expect(statuses[0]).toEqual(statuses[1]);
        expect(statuses[0]).toEqual(mutations.map(() => 'applied'));
      } else {
        expect(statuses).toContainEqual(mutations.map(() => 'applied'));
        expect(statuses).toContainEqual(mutations.map(() => 'duplicate'));
      }
      if (earlier) cards.set(earlier.id, { ...earlier, version: earlier.version + 1 });
      else
        cards.set(mutations[0].recordId, {
          id: mutations[0].recordId,
          workspaceId: writer.account.workspaceId,
          version: 1,
        });
    }
    const pulled = (await writer.client.at(cluster.urls[2]).pullAll(0)).changes.filter((c) => c.table === 'cards');
    expect(pulled).toHaveLength(cards.size);
    for (const card of pulled) expect(card.version).toBe(cards.get(card.id)?.version);
  });
});

describe('pokes across processes', () => {
  it('reach an event stream on one process after a write through another', async () => {
    const writer = await newWriter(cluster.urls[1]);
    const stream = await openPokes(cluster.urls[0], writer.client.cookieHeader());
    try {
      const initial = await stream.next(0);
      const sentAt = performance.now();
      const response = await writer.client.push([
        writer.builder.create('cards', writer.account.workspaceId, noteCard()),
      ]);
      expect(response.status).toBe(200);
      const poked = await stream.next(response.body.cursor);
      expect(poked).toBeGreaterThan(initial);
      const latency = stream.pokes.find((poke) => poke.cursor >= response.body.cursor)!.at - sentAt;
      process.stderr.write(`poke across processes: ${latency.toFixed(1)} ms after the push was sent\n`);
    } finally {
      stream.close();
    }
  });
});

describe('sign-in throttling across processes', () => {
  it('counts failed sign-ins at every process against one limit', async () => {
    const owner = new ApiClient(cluster.urls[0]);
    const email = uniqueEmail();
    expect((await owner.signUp(email, 'correct horse battery staple')).status).toBe(201);
    const guessers = cluster.urls.map((url) => new ApiClient(url));
    // Ten free attempts (BURROW_LOGIN_LIMIT), spread over the three processes.
    for (let attempt = 0; attempt < 10; attempt++) {
      const answer = await guessers[attempt % 3].signIn(email, `wrong guess ${attempt}`);
      expect(answer.status).toBe(401);
    }
    for (const guesser of guessers) {
      const answer = await guesser.signIn(email, 'another wrong guess');
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    }
  });
});

describe('faults under one process', () => {
  it('loses nothing acknowledged when a process is killed mid-push; the resend goes to another', async () => {
    const writer = await newWriter(cluster.urls[2]);
    const acknowledged = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const mutations = [writer.builder.create('cards', writer.account.workspaceId, noteCard())];
      expect((await writer.client.push(mutations)).status).toBe(200);
      acknowledged.add(mutations[0].recordId);
    }
    const inFlight = [0, 1, 2].map(() => writer.builder.create('cards', writer.account.workspaceId, noteCard()));
    const key = newId();
    const sending = writer.client.push(inFlight, { key }).catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    await cluster.servers[2].kill();
    await sending;
    const resent = await writer.client.at(cluster.urls[0]).push(inFlight, { key });
    expect(resent.status).toBe(200);
    for (const result of resent.body.results) expect(['applied', 'duplicate']).toContain(result.status);
    await cluster.servers[2].restart();
    const pulled = cardIds((await writer.client.pullAll(0)).changes);
    expect(new Set(pulled).size).toBe(pulled.length);
    expect(new Set(pulled)).toEqual(new Set([...acknowledged, ...inFlight.map((mutation) => mutation.recordId)]));
  });

  it('recovers when the database ends a process connections, and pokes its streams after the listener reconnects', async () => {
    const writer = await newWriter(cluster.urls[0]);
    const stream = await openPokes(cluster.urls[0], writer.client.cookieHeader());
    const admin = connect(databaseUrl, { max: 1 });
    try {
      const first = await writer.client.push([writer.builder.create('cards', writer.account.workspaceId, noteCard())]);
      expect(first.status).toBe(200);
      await stream.next(first.body.cursor);
      const before = stream.pokes.length;
      const ended = await admin<{ ended: boolean }[]>`
        SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
          WHERE application_name = ${`burrow-${cluster.servers[0].pid}`}`;
      expect(ended.length).toBeGreaterThan(0);
      // The listener comes back and pokes every stream with the latest cursor (commits sent while
      // it was gone are lost to it); no write is needed for that poke.
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (stream.pokes.length > before) {
            clearInterval(check);
            resolve();
          }
        }, 20);
      });
      const mutations = [writer.builder.create('cards', writer.account.workspaceId, noteCard())];
      const key = newId();
      let answer = await writer.client.push(mutations, { key });
      // A query caught on a terminated connection fails once; the client resends, as the outbox does.
      if (answer.status !== 200) answer = await writer.client.push(mutations, { key });
      expect(answer.status).toBe(200);
      expect(answer.body.results[0].status).toBe('applied');
    } finally {
      stream.close();
      await admin.end();
    }
  });
});
