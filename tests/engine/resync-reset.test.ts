/** A 410 cursor-expired reset: the stale client resyncs from 0 and keeps its pending local edits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage, waitFor } from '../support/browser.ts';
import {
  type EngineRig,
  note,
  openDevice,
  outboxState,
  serverCards,
  serverClient,
  startRig,
  uniqueEmail,
} from './engine-rig.ts';

describe('resync after cursor-expired', () => {
  let rig: EngineRig;

  beforeAll(async () => {
    // Tombstones may be purged 1 ms after deletion; the purge job runs every 200 ms.
    rig = await startRig({ BURROW_TOMBSTONE_RETENTION_MS: '1', BURROW_PURGE_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('keeps pending edits through a 410 reset and drops what the server purged', async () => {
    const email = uniqueEmail('stale');
    const device = await openDevice(rig, { signUp: email });
    const server = await serverClient(rig, email);
    const kept = (await server.create('cards', { workspaceId: device.workspaceId, fields: note('kept') })).body;
    const doomed = (await server.create('cards', { workspaceId: device.workspaceId, fields: note('doomed') })).body;
    await waitFor(() => inPage(device.page, (burrow, arg) => burrow.get('cards', arg.id), { id: doomed.id }), {
      message: 'both server cards on the device',
    });
    const staleCursor = await inPage(device.page, (burrow) => burrow.status().cursor);

    // Offline, the device edits one card and creates another; meanwhile the server deletes and purges.
    await device.context.setOffline(true);
    await inPage(
      device.page,
      async (burrow, arg) => {
        await burrow.update('cards', arg.keptId, { title: 'kept, edited offline' });
        const fields = {
          kind: 'note',
          title: 'created offline',
          content: '',
          tags: [],
          collectionIds: [],
          pinned: false,
        };
        await burrow.create('cards', fields, { workspaceId: arg.workspaceId });
      },
      { keptId: kept.id, workspaceId: device.workspaceId },
    );
    expect((await server.remove('cards', doomed.id)).status).toBe(200);
    await waitFor(async () => (await server.pull(staleCursor)).status === 410, {
      message: 'the stale cursor to expire',
    });

    // Pushes fail while the device pulls, so the reset happens with the edits still pending.
    rig.proxy.addRule({
      method: 'POST',
      path: '/api/sync/push',
      action: { kind: 'status', status: 503, retryAfterSeconds: 1 },
    });
    await device.context.setOffline(false);
    await inPage(device.page, (burrow) => burrow.pull());
    await waitFor(
      () => inPage(device.page, async (burrow, arg) => !(await burrow.get('cards', arg.id)), { id: doomed.id }),
      {
        message: 'the purged card to leave the device',
      },
    );
    const visible = await inPage(device.page, async (burrow) =>
      (await burrow.list('cards')).map((card) => ({ title: card.fields.title, pending: card.pending })),
    );
    expect(visible.sort((a, b) => String(a.title).localeCompare(String(b.title)))).toEqual([
      { title: 'created offline', pending: true },
      { title: 'kept, edited offline', pending: true },
    ]);
    expect((await outboxState(device.page)).pending).toBe(2);

    rig.proxy.clearRules();
    await inPage(device.page, (burrow) => burrow.flush());
    await waitFor(async () => (await outboxState(device.page)).pending === 0, { message: 'an empty outbox' });
    const titles = (await serverCards(rig, email)).map((card) => card.fields.title).sort();
    expect(titles).toEqual(['created offline', 'kept, edited offline']);
    await device.context.close();
  });
  it('sets up a new device of an account whose pages end below the purge horizon, without a resync', async () => {
    const email = uniqueEmail('horizon');
    const first = await openDevice(rig, { signUp: email });
    const server = await serverClient(rig, email);
    // 24 notes of 190 KB: more than one 4 MiB page, all older than the tombstone purged next.
    const content = 'x'.repeat(190_000);
    for (let index = 0; index < 24; index++) {
      const fields = { ...note(`big ${index}`), content };
      expect((await server.create('cards', { workspaceId: first.workspaceId, fields })).status).toBe(201);
    }
    const doomed = (await server.create('cards', { workspaceId: first.workspaceId, fields: note('doomed') })).body;
    expect((await server.remove('cards', doomed.id)).status).toBe(200);
    const firstPage = await waitFor(
      async () => {
        const page = await server.pull(0, 5000);
        return page.status === 200 && page.body.horizon > page.body.cursor ? page.body : null;
      },
      { message: 'the tombstone purged above the first page of a new device' },
    );
    expect(firstPage.hasMore).toBe(true);
    await first.context.close();

    const logFrom = rig.proxy.log.length;
    const second = await openDevice(rig, { signIn: email });
    const titles = await waitFor(
      async () => {
        const cards = await inPage(second.page, (burrow) => burrow.list('cards'));
        return cards.length >= 24 ? cards.map((card) => String(card.fields.title)) : null;
      },
      { message: 'every card on the new device' },
    );
    expect(titles.sort()).toEqual(Array.from({ length: 24 }, (_, index) => `big ${index}`).sort());
    expect(
      rig.proxy.log.slice(logFrom).filter((entry) => entry.path === '/api/sync/pull' && entry.upstreamStatus === 410),
    ).toEqual([]);
  });
});
