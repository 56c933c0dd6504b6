/**
 * WebKit (Safari's engine, no Background Sync): the app shell from the worker with the server
 * down, the worker's retry timers while a tab is open, the next app start after the app's tab
 * closed, and a navigation delivering at once whatever backoff the outbox was waiting out.
 * WebKit's WebDriver has no offline switch: an unreachable server stands in for it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotes,
  expectExactlyOnceOnServer,
  outboxState,
  serverCards,
  titled,
  uniqueEmail,
  waitForServerCards,
} from '../engine/engine-rig.ts';
import { inPage, waitFor } from '../support/browser.ts';
import type { WebKitDevice } from './webkit.ts';
import { openAppIn, openDevice, type SignedInDevice, startWebKitRig, type WebKitRig } from './webkit-rig.ts';

/** A server behind a gateway that answers 503 with this Retry-After while it is away (a deploy, say). */
const RETRY_AFTER_SECONDS = 600;

function waitForFailedAttempt(device: SignedInDevice): Promise<unknown> {
  return waitFor(() => inPage(device.tab, (burrow) => burrow.status().lastError !== null), {
    message: 'a failed delivery attempt',
  });
}

describe('WebKit delivery', () => {
  let rig: WebKitRig;
  let session: WebKitDevice | undefined;

  beforeAll(async () => {
    rig = await startWebKitRig();
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

  it("delivers commits made while the server is down on the worker's retry timers, the tab kept open", async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('wk-retry') });
    session = device.device;
    await rig.server.kill();
    await createNotes(device.tab, device.workspaceId, 'while down', 20);
    await waitForFailedAttempt(device);
    await rig.server.restart();

    // The page says nothing but its ping, once a minute: the worker's timers deliver within this wait.
    await waitForServerCards(rig, device.email, 20, 40_000);
    await waitFor(async () => (await outboxState(device.tab)).pending === 0, { message: 'an empty outbox' });
    await expectExactlyOnceOnServer(rig, device.email, titled('while down', 20, 1));
  });

  it("keeps what was committed while the server was down after the app's tab closed, delivered exactly once by the next app start", async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('wk-closed') });
    session = device.device;
    await rig.server.kill();
    await createNotes(device.tab, device.workspaceId, 'tab closed', 20);
    await waitForFailedAttempt(device);
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

  it('delivers exactly once on a navigation, without waiting out the backoff the outbox was given', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('wk-wake') });
    session = device.device;
    rig.proxy.addRule({
      method: 'POST',
      path: '/api/sync/push',
      action: { kind: 'status', status: 503, retryAfterSeconds: RETRY_AFTER_SECONDS },
    });
    await createNotes(device.tab, device.workspaceId, 'asked to wait', 20);
    const nextAttemptAt = await waitFor(
      () => inPage(device.tab, async (burrow) => (await burrow.pendingMutations())[0]?.nextAttemptAt ?? null),
      { message: 'the outbox waiting for its Retry-After' },
    );
    expect(nextAttemptAt).toBeGreaterThan(Date.now() + 60_000);
    const blank = await session.newTab();
    await device.tab.close();

    rig.proxy.clearRules();
    expect(await serverCards(rig, device.email)).toEqual([]);
    // The tab's own triggers respect the backoff: the navigation is what delivers.
    await blank.goto(rig.origin);
    await waitForServerCards(rig, device.email, 20, 30_000);
    await expectExactlyOnceOnServer(rig, device.email, titled('asked to wait', 20, 1));
  });
});
