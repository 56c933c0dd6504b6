import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DuplicateResult, type Mutation, newId } from '../protocol/index.ts';
import { silentLogger } from './logger.ts';
import { runMaintenance } from './maintenance.ts';
import {
  json,
  linkCard,
  mutation,
  noteCard,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from './test-support/test-server.ts';

const DAY = 24 * 60 * 60 * 1000;

let server: TestServer;
let user: TestUser;
let clock: number;
beforeEach(async () => {
  clock = Date.parse('2026-03-01T00:00:00Z');
  server = startTestServer({}, { now: () => clock });
  user = await signUp(server);
});
afterEach(() => server.close());

/** Pushes whole mutations as they are (a resend keeps seq and id), each time with a new key. */
async function pushAsIs(mutations: Mutation[]) {
  const response = await user.send('/api/sync/push', {
    method: 'POST',
    headers: { 'idempotency-key': newId() },
    body: { protocol: 1, clientId: user.clientId, mutations },
  });
  expect(response.status).toBe(200);
  return json(response);
}

/** A card at version 2 whose title another device changed after version 1. */
async function cardChangedElsewhere(): Promise<string> {
  const recordId = newId();
  await user.push([{ op: 'create', table: 'cards', recordId, fields: noteCard() }]);
  const patch = await user.send(`/api/cards/${recordId}`, {
    method: 'PATCH',
    headers: { 'idempotency-key': newId() },
    body: { fields: { title: 'Theirs' } },
  });
  expect(patch.status).toBe(200);
  return recordId;
}

/** An update of version 1 that conflicts on `title`. */
async function conflictingUpdate(): Promise<Mutation> {
  const recordId = await cardChangedElsewhere();
  return mutation(user, { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'Mine' } });
}

/** The mutation resent in a wider batch (a later edit joined it), as a client with a lost answer does. */
async function resendWider(sent: Mutation): Promise<DuplicateResult> {
  const later = mutation(user, { op: 'create', table: 'cards', fields: noteCard() });
  const response = await pushAsIs([sent, later]);
  expect(response.results[1]).toMatchObject({ status: 'applied' });
  return response.results[0];
}

describe('push outcomes kept for duplicates', () => {
  describe('a conflict, then its resend', () => {
    it('answers duplicate with the original conflict, by field name, and the current stamp', async () => {
      const update = await conflictingUpdate();
      const first = await pushAsIs([update]);
      expect(first.results[0]).toMatchObject({ status: 'conflict', code: 'field-conflict' });
      const duplicate = await resendWider(update);
      expect(duplicate).toEqual({
        seq: update.seq,
        id: update.id,
        status: 'duplicate',
        stamp: first.results[0].stamp,
        original: { status: 'conflict', code: 'field-conflict', conflicts: [{ field: 'title', omitted: true }] },
      });
    });

    it('carries a conflict without field conflicts (deleted) as just its code', async () => {
      const recordId = newId();
      await user.push([
        { op: 'create', table: 'cards', recordId, fields: noteCard() },
        { op: 'delete', table: 'cards', recordId, baseVersion: 1 },
      ]);
      const update = mutation(user, { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { title: 'x' } });
      expect((await pushAsIs([update])).results[0]).toMatchObject({ status: 'conflict', code: 'deleted' });
      const duplicate = await resendWider(update);
      expect(duplicate.original).toEqual({ status: 'conflict', code: 'deleted' });
      expect(duplicate.stamp).toMatchObject({ version: 2, deleted: true });
    });

    it('carries a duplicate-url conflict with the id of the card that has the URL', async () => {
      const url = 'https://example.com/kept';
      const existing = newId();
      await user.push([{ op: 'create', table: 'cards', recordId: existing, fields: linkCard(url) }]);
      const create = mutation(user, { op: 'create', table: 'cards', fields: linkCard(url) });
      expect((await pushAsIs([create])).results[0]).toMatchObject({ code: 'duplicate-url', existingId: existing });
      const duplicate = await resendWider(create);
      expect(duplicate).toEqual({
        seq: create.seq,
        id: create.id,
        status: 'duplicate',
        original: { status: 'conflict', code: 'duplicate-url', existingId: existing },
      });
    });
  });

  describe('a rejection, then its resend', () => {
    it('answers duplicate with the original error and no stamp', async () => {
      const update = mutation(user, { op: 'update', table: 'cards', baseVersion: 1, fields: { title: 'x' } });
      const first = await pushAsIs([update]);
      expect(first.results[0]).toMatchObject({ status: 'rejected', error: { code: 'not-found' } });
      const duplicate = await resendWider(update);
      expect(duplicate).toEqual({
        seq: update.seq,
        id: update.id,
        status: 'duplicate',
        original: { status: 'rejected', error: first.results[0].error },
      });
    });

    it('keeps the error as first answered, pointers into the first request included', async () => {
      const create = mutation(user, { op: 'create', table: 'cards', fields: { kind: 'note' } });
      const first = await pushAsIs([create]);
      expect(first.results[0].error.errors[0].pointer).toMatch(/^\/mutations\/0\/fields\//);
      const duplicate = await resendWider(create);
      expect(duplicate.original).toEqual({ status: 'rejected', error: first.results[0].error });
    });
  });

  describe('an applied mutation, then its resend', () => {
    it('answers duplicate with the current stamp and no original', async () => {
      const create = mutation(user, { op: 'create', table: 'cards', fields: noteCard() });
      await pushAsIs([create]);
      const duplicate = await resendWider(create);
      expect(duplicate).toEqual({
        seq: create.seq,
        id: create.id,
        status: 'duplicate',
        stamp: expect.objectContaining({ version: 1, deleted: false }),
      });
    });
  });

  describe('what an original belongs to', () => {
    it('is only the answer to that mutation id: another mutation at the same seq gets none', async () => {
      const update = mutation(user, { op: 'update', table: 'cards', baseVersion: 1, fields: { title: 'x' } });
      await pushAsIs([update]);
      const impostor = { ...update, id: newId() };
      expect(await resendWider(impostor)).not.toHaveProperty('original');
    });

    it('is kept per client: the same mutation applied for another client carries none', async () => {
      const update = mutation(user, { op: 'update', table: 'cards', baseVersion: 1, fields: { title: 'x' } });
      expect((await pushAsIs([update])).results[0]).toMatchObject({ status: 'rejected' });
      const created = await user.send('/api/cards', {
        method: 'POST',
        headers: { 'idempotency-key': newId() },
        body: { id: update.recordId, workspaceId: user.workspaceId, fields: noteCard() },
      });
      expect(created.status).toBe(201);
      const otherClient = newId();
      expect((await user.push([update], { clientId: otherClient })).results[0]).toMatchObject({ status: 'applied' });
      const resend = await user.push([update], { clientId: otherClient });
      expect(resend.results[0]).toMatchObject({ status: 'duplicate' });
      expect(resend.results[0]).not.toHaveProperty('original');
    });

    it('is written in the push transaction: a push refused with seq-gap keeps nothing', async () => {
      const update = mutation(user, { op: 'update', table: 'cards', baseVersion: 1, fields: { title: 'x' } });
      const gap = mutation(user, { op: 'create', table: 'cards', fields: noteCard(), seq: update.seq + 2 });
      const refused = await user.send('/api/sync/push', {
        method: 'POST',
        headers: { 'idempotency-key': newId() },
        body: { protocol: 1, clientId: user.clientId, mutations: [update, gap] },
      });
      expect(refused.status).toBe(409);
      // The same seq and id, now valid: applied. Had the refused push kept its rejection, the resend would carry it.
      const create = { ...update, op: 'create' as const, baseVersion: 0, fields: noteCard() };
      expect((await pushAsIs([create])).results[0]).toMatchObject({ status: 'applied' });
      expect(await resendWider(create)).not.toHaveProperty('original');
    });
  });

  describe('reaping', () => {
    it('keeps originals for the tombstone retention, then forgets them', async () => {
      const update = await conflictingUpdate();
      await pushAsIs([update]);
      clock += server.config.tombstoneRetentionMs - DAY;
      await runMaintenance(server.store, server.config, silentLogger, clock);
      expect((await resendWider(update)).original).toMatchObject({ status: 'conflict' });
      clock += 2 * DAY;
      await runMaintenance(server.store, server.config, silentLogger, clock);
      const duplicate = await resendWider(update);
      expect(duplicate.status).toBe('duplicate');
      expect(duplicate).not.toHaveProperty('original');
    });

    it('counts what it reaped', async () => {
      const update = mutation(user, { op: 'update', table: 'cards', baseVersion: 1, fields: { title: 'x' } });
      const create = mutation(user, { op: 'create', table: 'cards', fields: noteCard() });
      await pushAsIs([update, create]);
      expect(await server.store.reapOutcomes(clock)).toBe(0);
      expect(await server.store.reapOutcomes(clock + 1)).toBe(1);
    });
  });
});
