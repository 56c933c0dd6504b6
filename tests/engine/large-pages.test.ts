/**
 * A new device syncs an account whose notes do not fit in one pull page: the worker's pull loop
 * follows the pages the server cuts short by their bytes, and every note arrives whole; past the
 * read budget it waits out the 429's Retry-After and goes on from where it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../protocol/index.ts';
import { inPage, waitFor } from '../support/browser.ts';
import { type EngineRig, note, openDevice, serverClient, startRig, uniqueEmail } from './engine-rig.ts';

/** About 400 KB of UTF-8: the most a card's content may hold. */
const LARGE_CONTENT = 'é'.repeat(200_000);
const NOTES = 12;

describe('pages of large notes on a new device', () => {
  let rig: EngineRig;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('pulls them in several pages, each note once and whole', async () => {
    const email = uniqueEmail('large');
    const first = await openDevice(rig, { signUp: email });
    const server = await serverClient(rig, email);
    for (let i = 0; i < NOTES; i++) {
      const fields = { ...note(`Large ${i}`), content: LARGE_CONTENT };
      expect((await server.create('cards', { workspaceId: first.workspaceId, fields })).status).toBe(201);
    }
    await first.context.close();

    const pullsBefore = rig.proxy.log.filter((entry) => entry.path === '/api/sync/pull').length;
    const device = await openDevice(rig, { signIn: email });
    const cards = await waitFor(
      () =>
        inPage(device.page, async (burrow) => {
          const all = await burrow.list('cards');
          return all.length === 12
            ? all.map((card) => ({ title: card.fields.title, content: card.fields.content }))
            : null;
        }),
      { message: `the ${NOTES} large notes on the new device` },
    );
    expect(cards.map((card) => card.title).sort()).toEqual(
      Array.from({ length: NOTES }, (_, i) => `Large ${i}`).sort(),
    );
    expect(cards.every((card) => card.content === LARGE_CONTENT)).toBe(true);
    const pulls = rig.proxy.log.filter((entry) => entry.path === '/api/sync/pull').slice(pullsBefore);
    expect(pulls.every((entry) => entry.upstreamStatus === 200)).toBe(true);
    // The initial sync asks for the largest pages; the server cut its first short, so it went on.
    const initial = pulls.filter(
      (entry) => new URLSearchParams(entry.query).get('limit') === String(LIMITS.pullMaxLimit),
    );
    expect(initial.length).toBeGreaterThan(1);
    expect(new URLSearchParams(initial[0].query).get('cursor')).toBe('0');
    expect(await inPage(device.page, (burrow) => burrow.status().state)).toBe('synced');
  });
});

describe('pages of large notes past the read budget', () => {
  let rig: EngineRig;

  beforeAll(async () => {
    // About two notes' worth of JSON per 2 s window: the first page takes it, the next waits.
    rig = await startRig({ BURROW_READ_LIMIT_BYTES: '500000', BURROW_READ_WINDOW_MS: '2000' });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('waits out 429 rate-limited and still brings every note once and whole', async () => {
    const email = uniqueEmail('budget');
    const first = await openDevice(rig, { signUp: email });
    const workspaceId = first.workspaceId;
    await first.context.close();
    const server = await serverClient(rig, email);
    for (let i = 0; i < NOTES; i++) {
      const fields = { ...note(`Budget ${i}`), content: LARGE_CONTENT };
      expect((await server.create('cards', { workspaceId, fields })).status).toBe(201);
    }

    const pullsBefore = rig.proxy.log.filter((entry) => entry.path === '/api/sync/pull').length;
    const device = await openDevice(rig, { signIn: email });
    const cards = await waitFor(
      () =>
        inPage(device.page, async (burrow) => {
          const all = await burrow.list('cards');
          return all.length === 12
            ? all.map((card) => ({ title: card.fields.title, content: card.fields.content }))
            : null;
        }),
      { message: `the ${NOTES} large notes on the new device, past the read budget` },
    );
    expect(cards.map((card) => card.title).sort()).toEqual(
      Array.from({ length: NOTES }, (_, i) => `Budget ${i}`).sort(),
    );
    expect(cards.every((card) => card.content === LARGE_CONTENT)).toBe(true);
    const statuses = rig.proxy.log
      .filter((entry) => entry.path === '/api/sync/pull')
      .slice(pullsBefore)
      .map((entry) => entry.upstreamStatus);
    expect(statuses).toContain(429);
    // The last note can arrive on a full page whose empty successor is refused in turn: the
    // device is synced once it has waited that one out too.
    await waitFor(async () => (await inPage(device.page, (burrow) => burrow.status().state)) === 'synced', {
      message: 'the device synced after the last refused pull',
    });
  });
});
