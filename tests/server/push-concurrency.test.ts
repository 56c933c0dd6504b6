/** Concurrent pushes over real HTTP: however requests race, each mutation is applied exactly once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, type Mutation, newId, type PushResponse } from '../../protocol/index.ts';
import { ApiClient, type ApiResponse, MutationBuilder, noteCard } from '../support/api-client.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { signUpWithWorkspace } from './accounts.ts';

const CONCURRENT_REQUESTS = 10;

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

interface Setup {
  client: ApiClient;
  builder: MutationBuilder;
  card: Envelope;
}

/** A new user whose client has created one card (seq 1), ready to update it. */
async function userWithCard(): Promise<Setup> {
  const client = new ApiClient(server.url);
  const { workspaceId } = await signUpWithWorkspace(client);
  const builder = new MutationBuilder();
  const create = builder.create('cards', workspaceId, noteCard());
  const created = await client.push([create]);
  expect(created.status).toBe(200);
  const result = created.body.results[0];
  if (result.status !== 'applied') throw new Error(`create answered ${JSON.stringify(result)}`);
  const card = await client.get('cards', create.recordId);
  return { client, builder, card: card.body };
}

/** Two updates of the card, one after the other (versions n+1 and n+2). */
function twoUpdates({ builder, card }: Setup): Mutation[] {
  return [
    builder.update('cards', card, { title: 'Edited once' }),
    builder.update('cards', { ...card, version: card.version + 1 }, { pinned: true }),
  ];
}

function statuses(response: ApiResponse<PushResponse>): string[] {
  return response.body.results.map((result) => result.status);
}

function isReplay(response: ApiResponse<PushResponse>): boolean {
  return response.headers.get('idempotent-replayed') === 'true';
}

/** Every change of the user's snapshot for `id`: exactly one when nothing was duplicated. */
async function snapshotOf(client: ApiClient, id: string): Promise<Envelope[]> {
  const { changes } = await client.pullAll(0);
  return changes.filter((change) => change.id === id);
}

function times<T>(count: number, make: () => T): T[] {
  return Array.from({ length: count }, make);
}

describe('push over real HTTP', () => {
  describe('the same request (same Idempotency-Key, same body) sent 10 times at once', () => {
    it('is applied once; every other answer replays the first or reports duplicates', async () => {
      const setup = await userWithCard();
      const mutations = twoUpdates(setup);
      const key = newId();

      const responses = await Promise.all(times(CONCURRENT_REQUESTS, () => setup.client.push(mutations, { key })));

      expect(responses.map((response) => response.status)).toEqual(times(CONCURRENT_REQUESTS, () => 200));
      const firsts = responses.filter((response) => !isReplay(response) && statuses(response).includes('applied'));
      expect(firsts).toHaveLength(1);
      expect(statuses(firsts[0])).toEqual(['applied', 'applied']);
      for (const response of responses) {
        if (response === firsts[0]) continue;
        if (isReplay(response)) expect(response.body).toEqual(firsts[0].body);
        else expect(statuses(response)).toEqual(['duplicate', 'duplicate']);
      }
      const snapshot = await snapshotOf(setup.client, setup.card.id);
      expect(snapshot).toHaveLength(1);
      expect(snapshot[0]).toMatchObject({
        version: setup.card.version + 2,
        fields: { title: 'Edited once', pinned: true },
      });
    });
  });

  describe('the same mutations under 10 different Idempotency-Keys at once', () => {
    it('applies them once; the other nine answers are duplicates', async () => {
      const setup = await userWithCard();
      const mutations = twoUpdates(setup);

      const responses = await Promise.all(times(CONCURRENT_REQUESTS, () => setup.client.push(mutations)));

      expect(responses.map((response) => response.status)).toEqual(times(CONCURRENT_REQUESTS, () => 200));
      expect(responses.some(isReplay)).toBe(false);
      const outcomes = responses.map((response) => statuses(response).join(','));
      expect(outcomes.filter((outcome) => outcome === 'applied,applied')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'duplicate,duplicate')).toHaveLength(CONCURRENT_REQUESTS - 1);
      for (const response of responses) expect(response.body.lastSeq).toBe(3);
      const snapshot = await snapshotOf(setup.client, setup.card.id);
      expect(snapshot).toHaveLength(1);
      expect(snapshot[0].version).toBe(setup.card.version + 2);
    });
  });

  describe('consecutive seqs of one client, each in its own request, sent at once', () => {
    it('applies only a gap-free prefix, refuses the rest with seq-gap, and applies those when resent in order', async () => {
      const client = new ApiClient(server.url);
      const { workspaceId } = await signUpWithWorkspace(client);
      const builder = new MutationBuilder();
      const mutations = times(CONCURRENT_REQUESTS, () => builder.create('cards', workspaceId, noteCard()));

      // Sent newest first, so most of them arrive before their predecessor.
      const responses = await Promise.all([...mutations].reverse().map((mutation) => client.push([mutation])));

      const bySeq = new Map(responses.map((response, index) => [mutations.length - index, response]));
      const applied = [...bySeq].filter(([, response]) => response.status === 200).map(([seq]) => seq);
      applied.sort((a, b) => a - b);
      expect(applied).toEqual(times(applied.length, () => 0).map((_, index) => index + 1));
      for (const [seq, response] of bySeq) {
        if (response.status === 200) expect(statuses(response)).toEqual(['applied']);
        else
          expect({ seq, status: response.status, code: response.problem.code }).toEqual({
            seq,
            status: 409,
            code: 'seq-gap',
          });
      }

      for (const mutation of mutations.slice(applied.length)) {
        const resent = await client.push([mutation]);
        expect({ seq: mutation.seq, status: resent.status, results: statuses(resent) }).toEqual({
          seq: mutation.seq,
          status: 200,
          results: ['applied'],
        });
      }
      const { changes } = await client.pullAll(0);
      const cards = changes.filter((change) => change.table === 'cards');
      expect(cards.map((card) => card.id).sort()).toEqual(mutations.map((mutation) => mutation.recordId).sort());
      expect(cards.every((card) => card.version === 1)).toBe(true);
    });
  });

  describe('ten clients of one user pushing at once', () => {
    it('applies every push and gives each its own server seq', async () => {
      const first = new ApiClient(server.url);
      const { workspaceId, email, password } = await signUpWithWorkspace(first);
      const clients = await Promise.all(
        times(CONCURRENT_REQUESTS, async () => {
          const client = new ApiClient(server.url);
          expect((await client.signIn(email, password)).status).toBe(200);
          return client;
        }),
      );

      const responses = await Promise.all(
        clients.map((client) => {
          const builder = new MutationBuilder();
          return client.push([
            builder.create('cards', workspaceId, noteCard()),
            builder.create('cards', workspaceId, noteCard()),
          ]);
        }),
      );

      expect(responses.map((response) => statuses(response).join(','))).toEqual(
        times(CONCURRENT_REQUESTS, () => 'applied,applied'),
      );
      const seqs = responses.flatMap((response) =>
        response.body.results.map((result) => (result.status === 'applied' ? result.stamp.seq : -1)),
      );
      expect(new Set(seqs).size).toBe(seqs.length);
      const { changes } = await first.pullAll(0);
      expect(changes.filter((change) => change.table === 'cards')).toHaveLength(2 * CONCURRENT_REQUESTS);
    });
  });
});
