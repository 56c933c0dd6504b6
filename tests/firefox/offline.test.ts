/** Firefox offline: the app shell from the worker's cache after a restart, and commits made offline delivered once on `online`. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAppIn, openDevice } from '../cross-browser/browser-rig.ts';
import {
  createNotes,
  expectExactlyOnceOnServer,
  outboxState,
  retitleNotes,
  serverCards,
  titled,
  uniqueEmail,
  waitForServerCards,
} from '../engine/engine-rig.ts';
import { inPage, waitFor } from '../support/browser.ts';
import type { FirefoxDevice } from './firefox.ts';
import { FIREFOX, type FirefoxRig } from './firefox-rig.ts';

describe('Firefox offline', () => {
  let rig: FirefoxRig;
  let firefox: FirefoxDevice | undefined;

  beforeAll(async () => {
    rig = await FIREFOX.startRig();
  });
  afterEach(async () => {
    await firefox?.close();
    firefox = undefined;
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('loads the app shell and its data offline from the worker, after a browser restart on the same profile', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('ff-shell') });
    firefox = device.device;
    await createNotes(device.tab, device.workspaceId, 'kept', 3);
    await waitForServerCards(rig, device.email, 3);

    await firefox.restart();
    await firefox.setOffline(true);
    const requestsBefore = rig.proxy.log.length;
    const page = await openAppIn(await firefox.newTab(), rig.origin);

    expect(await page.evaluate('navigator.onLine')).toBe(false);
    expect(await page.evaluate('document.querySelector("main") !== null')).toBe(true);
    const titles = await inPage(page, async (burrow) =>
      (await burrow.list('cards')).map((card) => String(card.fields.title)).sort(),
    );
    expect(titles).toEqual(['kept 0', 'kept 1', 'kept 2']);
    // Nothing reached the server: the shell came from the worker's cache, the cards from IndexedDB.
    expect(rig.proxy.log.slice(requestsBefore)).toEqual([]);
  });

  it('delivers commits made while the browser is offline exactly once on `online`, the tab kept open', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('ff-offline') });
    firefox = device.device;
    await firefox.setOffline(true);
    // 30 creates, then an update of each: 60 outbox entries, no two adjacent of one record.
    const ids = await createNotes(device.tab, device.workspaceId, 'draft', 30);
    await retitleNotes(device.tab, ids, 'offline');
    expect((await outboxState(device.tab)).pending).toBe(60);
    expect(await inPage(device.tab, (burrow) => burrow.status().state)).toBe('offline');
    expect(await serverCards(rig, device.email)).toEqual([]);

    await firefox.setOffline(false);
    await waitForServerCards(rig, device.email, 30);
    await waitFor(async () => (await outboxState(device.tab)).pending === 0, { message: 'an empty outbox' });
    await expectExactlyOnceOnServer(rig, device.email, titled('offline', 30, 2));
    expect(await outboxState(device.tab)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
  });
});
