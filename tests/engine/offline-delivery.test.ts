/**
 * Delivery survives the page: offline with every tab closed, a reload mid-drain, a stopped worker
 * with the server down; and Background Sync asks a server that said to wait only once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../protocol/index.ts';
import { dispatchSync, inPage, openApp, stopServiceWorkers, waitFor, waitForPage } from '../support/browser.ts';
import {
  createNotes,
  duplicatesBy,
  type EngineRig,
  openDevice,
  outboxState,
  serverCards,
  startRig,
  uniqueEmail,
  waitForServerCards,
} from './engine-rig.ts';

/** `count` titles `${prefix} ${i}`, each expected at `version`. */
function titled(prefix: string, count: number, version: number): Map<string, number> {
  return new Map(Array.from({ length: count }, (_, i) => [`${prefix} ${i}`, version]));
}

/** Every title once, and every card at the version its commits imply. */
function expectExactlyOnce(cards: Envelope[], expected: Map<string, number>): void {
  expect(duplicatesBy(cards, (card) => String(card.fields.title))).toEqual([]);
  const actual = new Map(cards.map((card) => [String(card.fields.title), card.version]));
  expect(actual).toEqual(expected);
}

describe('delivery without a page', () => {
  let rig: EngineRig;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterEach(() => {
    rig.proxy.clearRules();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('delivers 200 offline commits exactly once after every tab closed, through Background Sync', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('offline') });
    await device.context.setOffline(true);
    // 100 creates, then an update of each: 200 separate outbox entries (no two adjacent of one record).
    await inPage(
      device.page,
      async (burrow, arg) => {
        const ids: string[] = [];
        for (let i = 0; i < 100; i++) {
          const fields = { kind: 'note', title: `draft ${i}`, content: '', tags: [], collectionIds: [], pinned: false };
          ids.push((await burrow.create('cards', fields, { workspaceId: arg.workspaceId })).id);
        }
        for (let i = 0; i < 100; i++) await burrow.update('cards', ids[i], { title: `offline ${i}` });
      },
      { workspaceId: device.workspaceId },
    );
    expect((await outboxState(device.page)).pending).toBe(200);
    expect(await serverCards(rig, device.email)).toEqual([]);

    await device.page.close();
    expect(device.context.pages()).toEqual([]);
    await device.context.setOffline(false);

    await waitForServerCards(rig, device.email, 100);
    // Give a second (wrong) delivery the chance to show before counting.
    const reopened = await openApp(device.context, rig.origin);
    await waitFor(async () => (await outboxState(reopened)).pending === 0, { message: 'an empty outbox' });
    expectExactlyOnce(await serverCards(rig, device.email), titled('offline', 100, 2));
    expect(await outboxState(reopened)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
    await device.context.close();
  });

  it('delivers exactly once across a reload in the middle of a drain', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('reload') });
    // The server commits each push, then its answer waits: the reload lands while a batch is in flight.
    rig.proxy.addRule({
      method: 'POST',
      path: '/api/sync/push',
      action: { kind: 'delay', ms: 1500, at: 'response' },
      times: 3,
    });
    const pushesBefore = rig.proxy.log.filter((entry) => entry.path === '/api/sync/push').length;
    await inPage(
      device.page,
      async (burrow, arg) => {
        for (let i = 0; i < 40; i++) {
          const fields = {
            kind: 'note',
            title: `before reload ${i}`,
            content: '',
            tags: [],
            collectionIds: [],
            pinned: false,
          };
          await burrow.create('cards', fields, { workspaceId: arg.workspaceId });
        }
      },
      { workspaceId: device.workspaceId },
    );
    await waitFor(() => rig.proxy.log.filter((entry) => entry.path === '/api/sync/push').length > pushesBefore, {
      message: 'a push in flight',
    });
    await device.page.reload();
    await waitForPage(device.page, '"burrow" in window', { message: 'window.burrow after the reload' });
    await inPage(device.page, (burrow) => burrow.ready.then(() => null));
    await inPage(
      device.page,
      async (burrow, arg) => {
        for (let i = 0; i < 20; i++) {
          const fields = {
            kind: 'note',
            title: `after reload ${i}`,
            content: '',
            tags: [],
            collectionIds: [],
            pinned: false,
          };
          await burrow.create('cards', fields, { workspaceId: arg.workspaceId });
        }
      },
      { workspaceId: device.workspaceId },
    );

    await waitForServerCards(rig, device.email, 60);
    await waitFor(async () => (await outboxState(device.page)).pending === 0, { message: 'an empty outbox' });
    const expected = new Map([...titled('before reload', 40, 1), ...titled('after reload', 20, 1)]);
    expectExactlyOnce(await serverCards(rig, device.email), expected);
    expect(await outboxState(device.page)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
    rig.proxy.clearRules();
    await device.context.close();
  });

  it('asks a server that said to wait once per sync event, never firing another at once', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('asked-to-wait') });
    const firstEntry = rig.proxy.log.length;
    const pushes = () => rig.proxy.log.slice(firstEntry).filter((entry) => entry.path === '/api/sync/push');
    rig.proxy.addRule({
      method: 'POST',
      path: '/api/sync/push',
      action: { kind: 'status', status: 503, retryAfterSeconds: 600 },
    });
    await createNotes(device.page, device.workspaceId, 'asked to wait', 5);
    await waitForPage(device.page, 'window.burrow.pendingMutations().then((entries) => entries[0]?.nextAttemptAt)', {
      message: 'the outbox waiting for its Retry-After',
    });
    await device.page.close();
    // The commits' drain is refused, registers a sync event, and that event's forced drain is too.
    await waitFor(() => pushes().length >= 2, { message: 'the drain and the sync event it registered' });
    // A registration made while that event fired would have Chromium fire another as it ended,
    // ignoring the Retry-After (it did, 40-300 ms later): give it the time to show.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(pushes().map((entry) => entry.fault)).toEqual(['status', 'status']);
    rig.proxy.clearRules();
    await device.context.close();
  });

  it('delivers after the worker was stopped while the server was down, on a dispatched sync', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('stopped') });
    await rig.server.kill();
    await inPage(
      device.page,
      async (burrow, arg) => {
        for (let i = 0; i < 20; i++) {
          const fields = {
            kind: 'note',
            title: `while down ${i}`,
            content: '',
            tags: [],
            collectionIds: [],
            pinned: false,
          };
          await burrow.create('cards', fields, { workspaceId: arg.workspaceId });
        }
      },
      { workspaceId: device.workspaceId },
    );
    // The drain has tried and failed (a network error through the proxy) before the worker stops.
    await waitFor(() => inPage(device.page, (burrow) => burrow.status().lastError !== null), {
      message: 'a failed delivery attempt',
    });
    await device.page.close();
    const blank = await device.context.newPage();
    await stopServiceWorkers(blank);
    await blank.close();

    await rig.server.restart();
    // Nothing is alive to deliver: no page, no worker, no timer. Only the sync event may.
    expect(await serverCards(rig, device.email)).toEqual([]);
    await dispatchSync(device.context, rig.origin);

    const cards = await waitForServerCards(rig, device.email, 20);
    expectExactlyOnce(cards, titled('while down', 20, 1));
    await device.context.close();
  });
});
