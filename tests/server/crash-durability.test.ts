/**
 * Durability over real crashes: a server killed with SIGKILL while a client pushes keeps every
 * acknowledged mutation exactly once, and the unacknowledged request resends cleanly.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { type Envelope, type Mutation, newId } from '../../protocol/index.ts';
import { ApiClient, MutationBuilder, noteCard, pushBody } from '../support/api-client.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { signUpWithWorkspace } from './accounts.ts';

/**
 * Where each crash lands: `mid-body` kills the server while it has only half of a request's
 * body (surely unapplied); a number kills it that many ms after a whole request was handed to
 * the socket. A push takes about a millisecond here, so fractions of one spread the crashes
 * over before, during and after the commit; which one each hits varies, and every outcome
 * must hold the same invariants.
 */
const CRASH_POINTS: CrashPoint[] =
  process.env.BURROW_TEST_STORE === 'postgres'
    ? // On PostgreSQL a killed server leaves an open transaction that the database rolls back;
      // its own durability is tested with a database crash (pg-restart.test.ts). Fewer points.
      ['mid-body', 0, 0.5, 1, 2]
    : ['mid-body', 0, 0.2, 0.4, 0.6, 0.8, 1, 1.3, 1.6, 2, 3];
/** Acknowledged requests before each crash. */
const ACKS_BEFORE_CRASH = 12;

/** What the client knows the server holds: per card, its version and title. */
type Model = Map<string, { workspaceId: string; version: number; title: string }>;

type CrashPoint = 'mid-body' | number;

interface InFlight {
  mutations: Mutation[];
  key: string;
}

let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop();
});

/** One create and up to two title updates of known cards, each titled by its seq. */
function nextRequest(builder: MutationBuilder, model: Model, workspaceId: string): Mutation[] {
  const mutations = [builder.create('cards', workspaceId, noteCard({ title: `created at ${builder.nextSeq}` }))];
  const known = [...model.keys()];
  for (let i = 0; i < 2 && known.length > i; i++) {
    const id = known[(builder.nextSeq * 7 + i * 13) % known.length];
    if (mutations.some((mutation) => mutation.recordId === id)) continue;
    const card = model.get(id)!;
    mutations.push(builder.update('cards', { id, ...card }, { title: `updated at ${builder.nextSeq}` }));
  }
  return mutations;
}

/** The model after `mutations` were applied once each, in order. */
function applyToModel(model: Model, mutations: Mutation[]): Model {
  const next: Model = new Map([...model].map(([id, card]) => [id, { ...card }]));
  for (const mutation of mutations) {
    const title = String(mutation.fields?.title);
    if (mutation.op === 'create') next.set(mutation.recordId, { workspaceId: mutation.workspaceId, version: 1, title });
    else {
      const card = next.get(mutation.recordId)!;
      next.set(mutation.recordId, { ...card, version: card.version + 1, title });
    }
  }
  return next;
}

/** The cards of a full pull, as a model; throws if a card appears twice. */
function modelOf(changes: Envelope[]): Model {
  const cards = changes.filter((change) => change.table === 'cards');
  const model: Model = new Map();
  for (const card of cards) {
    if (model.has(card.id)) throw new Error(`card ${card.id} appears twice in one pull`);
    model.set(card.id, { workspaceId: card.workspaceId, version: card.version, title: String(card.fields.title) });
  }
  return model;
}

function sorted(model: Model) {
  return [...model].sort(([a], [b]) => a.localeCompare(b));
}

/** Sends the head and half the body of a push, and resolves once those bytes are written. */
function sendHalfAPush(client: ApiClient, mutations: Mutation[], key: string): Promise<void> {
  const body = Buffer.from(JSON.stringify(pushBody(client.clientId, mutations)));
  const request = httpRequest(new URL('/api/sync/push', client.baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'idempotency-key': key,
      cookie: client.cookieHeader(),
    },
  });
  // The kill resets the connection: that error is the point, not a failure.
  request.on('error', () => {});
  return new Promise((resolve) => request.write(body.subarray(0, body.length >> 1), () => resolve()));
}

/**
 * Pushes request after request, each sent only after the previous one's acknowledgement; after
 * `ACKS_BEFORE_CRASH` acknowledgements kills the server at `crashPoint` of the next request.
 * Returns the new model of acknowledged writes and the request whose fate is unknown, if any.
 */
async function pushUntilKilled(
  client: ApiClient,
  builder: MutationBuilder,
  start: Model,
  workspaceId: string,
  crashPoint: CrashPoint,
): Promise<{ model: Model; inFlight: InFlight | null }> {
  let model = start;
  for (let acks = 0; acks < ACKS_BEFORE_CRASH; acks++) {
    const mutations = nextRequest(builder, model, workspaceId);
    const response = await client.push(mutations);
    expect(response.body.results?.map((result) => result.status)).toEqual(mutations.map(() => 'applied'));
    model = applyToModel(model, mutations);
  }
  const mutations = nextRequest(builder, model, workspaceId);
  const key = newId();
  if (crashPoint === 'mid-body') {
    await sendHalfAPush(client, mutations, key);
    await server!.kill();
    return { model, inFlight: { mutations, key } };
  }
  const sending = client.push(mutations, { key }).catch((error: unknown) => error);
  // One turn of the event loop lets fetch write the request; then wait without yielding.
  await new Promise((resolve) => setImmediate(resolve));
  const until = performance.now() + crashPoint;
  while (performance.now() < until);
  await server!.kill();
  const outcome = await sending;
  // The answer can win the race with the kill: then the request is acknowledged after all.
  if (!(outcome instanceof Error) && (outcome as { status: number }).status === 200) {
    return { model: applyToModel(model, mutations), inFlight: null };
  }
  return { model, inFlight: { mutations, key } };
}

describe('a server killed with SIGKILL while a client pushes', () => {
  it('keeps every acknowledged mutation exactly once, and the unacknowledged request resends as applied or duplicate', async () => {
    server = await startServer();
    const client = new ApiClient(server.url);
    const { workspaceId } = await signUpWithWorkspace(client);
    const builder = new MutationBuilder();
    let model: Model = new Map();

    for (const crashPoint of CRASH_POINTS) {
      const crash = await pushUntilKilled(client, builder, model, workspaceId, crashPoint);
      await server.restart();
      expect((await client.me()).status).toBe(200);

      // Acknowledged writes are all there, once; the in-flight request is all there or not at all.
      const afterCrash = sorted(modelOf((await client.pullAll(0)).changes));
      const withInFlight = crash.inFlight ? applyToModel(crash.model, crash.inFlight.mutations) : crash.model;
      if (crashPoint === 'mid-body') expect(afterCrash).toEqual(sorted(crash.model));
      else expect([sorted(crash.model), sorted(withInFlight)]).toContainEqual(afterCrash);

      if (crash.inFlight) {
        const resent = await client.push(crash.inFlight.mutations, { key: crash.inFlight.key });
        expect(resent.status).toBe(200);
        for (const result of resent.body.results) expect(['applied', 'duplicate']).toContain(result.status);
        expect(resent.body.lastSeq).toBe(builder.nextSeq - 1);
        // Under a new key (a client that lost its key) the same mutations are duplicates.
        const again = await client.push(crash.inFlight.mutations);
        expect(again.body.results.map((result) => result.status)).toEqual(
          crash.inFlight.mutations.map(() => 'duplicate'),
        );
      }
      model = withInFlight;
      expect(sorted(modelOf((await client.pullAll(0)).changes))).toEqual(sorted(model));
    }
  });
});
