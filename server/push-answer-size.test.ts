import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, type Mutation, newId } from '../protocol/index.ts';
import {
  type LooseJson,
  mutation,
  noteCard,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from './test-support/test-server.ts';

/**
 * A push answer never grows faster than its request: at most the request's bytes plus
 * `LIMITS.pushAnswerBytesPerMutation` per mutation, however large the records it touches.
 */
const PER_MUTATION = LIMITS.pushAnswerBytesPerMutation;

/** About 400 KB of UTF-8 in 200,000 characters, the most a card's content may hold. */
const LARGE_CONTENT = 'é'.repeat(200_000);

let server: TestServer;
let user: TestUser;
beforeEach(async () => {
  server = startTestServer();
  user = await signUp(server);
});
afterEach(() => server.close());

interface Exchange {
  status: number;
  requestBytes: number;
  answerBytes: number;
  body: LooseJson;
}

/** Sends the mutations as they are under `clientId`, with `key`, and measures both bodies. */
async function pushMeasured(mutations: Mutation[], clientId = user.clientId, key = newId()): Promise<Exchange> {
  const request = JSON.stringify({ protocol: 1, clientId, mutations });
  const response = await user.send('/api/sync/push', {
    method: 'POST',
    headers: { 'idempotency-key': key },
    body: request,
  });
  const text = await response.text();
  return {
    status: response.status,
    requestBytes: Buffer.byteLength(request),
    answerBytes: Buffer.byteLength(text),
    body: JSON.parse(text),
  };
}

function expectBounded(exchange: Exchange, mutations: number): void {
  expect(exchange.answerBytes).toBeLessThanOrEqual(exchange.requestBytes + PER_MUTATION * mutations);
}

/** The byte length of the answer stored for `key`, read from the server's database. */
async function storedAnswerBytes(key: string): Promise<number> {
  const [row] = await server.query<{ bytes: number }>(
    'SELECT octet_length(body) AS bytes FROM idempotency WHERE key = ?',
    key,
  );
  return row?.bytes ?? -1;
}

/** A note of about 400 KB created by another device, so this user's edits of it can conflict. */
async function largeNoteFromElsewhere(): Promise<string> {
  const recordId = newId();
  const created = await pushMeasured(
    [mutation(user, { op: 'create', table: 'cards', recordId, fields: noteCard({ content: LARGE_CONTENT }) })],
    newId(),
  );
  expect(created.body.results[0].status).toBe('applied');
  user.nextSeq = 1;
  return recordId;
}

describe('push answers are bounded by their requests', () => {
  it('answers a full push of duplicates of one 400 KB note in a few bytes each, and stores no more', async () => {
    const recordId = newId();
    const create = mutation(user, {
      op: 'create',
      table: 'cards',
      recordId,
      fields: noteCard({ content: LARGE_CONTENT }),
    });
    expect((await pushMeasured([create])).status).toBe(200);
    const duplicates = Array.from({ length: LIMITS.maxMutationsPerPush }, () => ({
      ...create,
      id: newId(),
      fields: {},
    }));
    const key = newId();
    const answer = await pushMeasured(duplicates, user.clientId, key);
    expect(answer.status).toBe(200);
    expect(answer.body.results.every((result: LooseJson) => result.status === 'duplicate')).toBe(true);
    expect(answer.answerBytes).toBeLessThanOrEqual(PER_MUTATION * duplicates.length);
    expect(await storedAnswerBytes(key)).toBe(answer.answerBytes);
  });

  it('answers creates and updates of large notes without their fields', async () => {
    const recordIds = [newId(), newId()];
    const creates = recordIds.map((recordId) =>
      mutation(user, { op: 'create', table: 'cards', recordId, fields: noteCard({ content: LARGE_CONTENT }) }),
    );
    const created = await pushMeasured(creates);
    expect(created.requestBytes).toBeGreaterThan(800_000);
    expect(created.body.results.map((result: LooseJson) => result.status)).toEqual(['applied', 'applied']);
    expect(created.answerBytes).toBeLessThanOrEqual(PER_MUTATION * creates.length);
    const update = mutation(user, {
      op: 'update',
      table: 'cards',
      recordId: recordIds[0],
      baseVersion: 1,
      fields: { title: 'Renamed' },
    });
    const updated = await pushMeasured([update]);
    expect(updated.body.results[0].status).toBe('applied');
    expect(updated.answerBytes).toBeLessThanOrEqual(PER_MUTATION);
  });

  it('leaves out server values of conflicts that do not fit, marking them omitted', async () => {
    const recordId = await largeNoteFromElsewhere();
    const edits = Array.from({ length: LIMITS.maxMutationsPerPush }, () =>
      mutation(user, { op: 'update', table: 'cards', recordId, baseVersion: 0, fields: { content: 'mine' } }),
    );
    const answer = await pushMeasured(edits);
    expect(answer.status).toBe(200);
    expectBounded(answer, edits.length);
    expect(answer.body.results[0]).toMatchObject({
      status: 'conflict',
      code: 'field-conflict',
      conflicts: [{ field: 'content', omitted: true }],
    });
  });

  it('keeps server values of conflicts that fit: a client sending as much gets them', async () => {
    const recordId = await largeNoteFromElsewhere();
    const edit = mutation(user, {
      op: 'update',
      table: 'cards',
      recordId,
      baseVersion: 0,
      fields: { content: 'ü'.repeat(200_000), title: 'Mine' },
    });
    const answer = await pushMeasured([edit]);
    expectBounded(answer, 1);
    expect(answer.body.results[0].conflicts).toEqual([
      { field: 'content', server: LARGE_CONTENT },
      { field: 'title', server: noteCard().title },
    ]);
  });

  it('keeps a conflict for a resend by its fields only, however large the values first answered', async () => {
    const recordId = await largeNoteFromElsewhere();
    const first = mutation(user, {
      op: 'update',
      table: 'cards',
      recordId,
      baseVersion: 0,
      fields: { content: 'ü'.repeat(200_000) },
    });
    const answered = await pushMeasured([first]);
    expect(answered.body.results[0].conflicts).toEqual([{ field: 'content', server: LARGE_CONTENT }]);
    // A full push of resends of its seq and id (without the fields) are answered from the kept outcome.
    const resends = Array.from({ length: LIMITS.maxMutationsPerPush }, () => ({ ...first, fields: {} }));
    const answer = await pushMeasured(resends);
    expect(answer.answerBytes).toBeLessThanOrEqual(PER_MUTATION * resends.length);
    expect(answer.body.results.at(-1)).toEqual({
      seq: first.seq,
      id: first.id,
      status: 'duplicate',
      stamp: expect.objectContaining({ version: 1 }),
      original: { status: 'conflict', code: 'field-conflict', conflicts: [{ field: 'content', omitted: true }] },
    });
  });

  it('answers rejections with a bounded list of pointers, however many fields are wrong', async () => {
    const unknownFields = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 0]));
    const many = Array.from({ length: 400 }, () =>
      mutation(user, { op: 'create', table: 'cards', fields: { ...noteCard(), ...unknownFields } }),
    );
    const answer = await pushMeasured(many);
    expect(answer.status).toBe(200);
    expectBounded(answer, many.length);
    const error = answer.body.results[0].error;
    expect(error).toMatchObject({ code: 'invalid-field', status: 400 });
    expect(error.errors[0]).toEqual({ pointer: '/mutations/0/fields/k0', detail: 'is not a field of cards' });
    expect(error.detail).toMatch(/200/);

    const tags = Array.from({ length: 20_000 }, () => '');
    const oneList = [mutation(user, { op: 'create', table: 'cards', fields: noteCard({ tags }) })];
    const listAnswer = await pushMeasured(oneList);
    expectBounded(listAnswer, 1);
    expect(listAnswer.body.results[0].error.errors[0].pointer).toBe('/mutations/0/fields/tags/0');
  });

  it('answers a malformed push with a bounded problem, however many pointers it has', async () => {
    const bad = Array.from({ length: LIMITS.maxMutationsPerPush }, () => {
      const extra = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`x${i}`, 0]));
      return { ...mutation(user, { op: 'delete', table: 'cards' }), ...extra };
    });
    const answer = await pushMeasured(bad as Mutation[]);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid-request');
    expect(answer.answerBytes).toBeLessThanOrEqual(PER_MUTATION);
  });
});
