/**
 * WebKit's app starts with the server down: the app shell and its data from the worker, and what
 * was committed before the app's tab closed delivered exactly once by the next app start.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAppIn, openDevice } from '../cross-browser/browser-rig.ts';
import {
  createNotes,
  expectExactlyOnceOnServer,
  outboxState,
  titled,
  uniqueEmail,
  waitForServerCards,
} from '../engine/engine-rig.ts';
import { inPage, waitFor } from '../support/browser.ts';
import type { WebKitDevice } from './webkit.ts';
import { WEBKIT, type WebKitRig } from './webkit-rig.ts';

describe('WebKit app start with the server down', () => {
  let rig: WebKitRig;
  let session: WebKitDevice | undefined;

  beforeAll(async () => {
    rig = await WEBKIT.startRig();
  });
  afterEach(async () => {
    rig.proxy.clearRules();
    await session?.close();
    session = undefined;
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('serves the app shell and its data from the worker with the server down', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('wk-shell') });
    session = device.device;
    await createNotes(device.tab, device.workspaceId, 'kept', 3);
    await waitForServerCards(rig, device.email, 3);

    await rig.server.kill();
    const requestsBefore = rig.proxy.log.length;
    try {
      const tab = await openAppIn(await session.newTab(), rig.origin);
      expect(await tab.evaluate('document.querySelector("main") !== null')).toBe(true);
      const titles = await inPage(tab, async (burrow) =>
        (await burrow.list('cards')).map((card) => String(card.fields.title)).sort(),
      );
      expect(titles).toEqual(['kept 0', 'kept 1', 'kept 2']);
      // What reached the proxy (and failed) was the API and the navigation's update check of the
      // worker script, never the shell: that came from the worker's cache.
      const failed = rig.proxy.log.slice(requestsBefore).map((entry) => entry.path);
      expect(failed.filter((path) => !path.startsWith('/api/') && path !== '/sw.js')).toEqual([]);
    } finally {
      await rig.server.restart();
    }
  });

  it("keeps what was committed while the server was down after the app's tab closed, delivered exactly once by the next app start", async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('wk-closed') });
    session = device.device;
    await rig.server.kill();
    await createNotes(device.tab, device.workspaceId, 'tab closed', 20);
    await waitFor(() => inPage(device.tab, (burrow) => burrow.status().lastError !== null), {
      message: 'a failed delivery attempt',
    });
    // The session lives on in a blank tab.
    const blank = await session.newTab();
    await device.tab.close();

    // WebKit may keep the worker, and its retry timer, alive a while after the tab closed (its
    // stop cannot be seen from here): it may deliver before the app starts, never twice.
    await rig.server.restart();
    const tab = await openAppIn(blank, rig.origin);
    await waitForServerCards(rig, device.email, 20);
    await waitFor(async () => (await outboxState(tab)).pending === 0, { message: 'an empty outbox' });
    await expectExactlyOnceOnServer(rig, device.email, titled('tab closed', 20, 1));
    expect(await outboxState(tab)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
  });
});
