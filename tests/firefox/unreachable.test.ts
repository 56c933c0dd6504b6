/**
 * Firefox with the server unreachable: the worker's retry timers deliver while a tab is open;
 * with every tab closed and the idle worker stopped, nothing is lost and the next app start
 * delivers; a navigation wakes the stopped worker and delivers at once.
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
import type { FirefoxDevice } from './firefox.ts';
import { type FirefoxRig, openApp, openDevice, type SignedInDevice, startFirefoxRig } from './firefox-rig.ts';

/** Short enough for a test to see Firefox stop the idle worker; 30 s by default. */
const IDLE_TIMEOUT_MS = 2_000;

/** Waits until the page's status shows a failed delivery attempt. */
function waitForFailedAttempt(device: SignedInDevice): Promise<unknown> {
  return waitFor(() => inPage(device.page, (burrow) => burrow.status().lastError !== null), {
    message: 'a failed delivery attempt',
  });
}

describe('Firefox with the server unreachable', () => {
  let rig: FirefoxRig;
  let firefox: FirefoxDevice | undefined;

  beforeAll(async () => {
    rig = await startFirefoxRig();
  });
  afterEach(async () => {
    rig.proxy.clearRules();
    await firefox?.close();
    firefox = undefined;
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("delivers commits made while the server is down on the worker's retry timers, the tab kept open", async () => {
    // Firefox's own idle timeout (30 s): the worker lives on between the page's pings.
    const device = await openDevice(rig, { signUp: uniqueEmail('ff-retry') });
    firefox = device.firefox;
    await rig.server.kill();
    await createNotes(device.page, device.workspaceId, 'while down', 20);
    await waitForFailedAttempt(device);
    await rig.server.restart();

    // The page stays open and says nothing but its ping, once a minute: the worker's backoff
    // timers (a few seconds after a short outage) are what delivers within this wait.
    await waitForServerCards(rig, device.email, 20, 40_000);
    await waitFor(async () => (await outboxState(device.page)).pending === 0, { message: 'an empty outbox' });
    await expectExactlyOnceOnServer(rig, device.email, titled('while down', 20, 1));
  });

  it('loses nothing while every tab is closed and the idle worker stopped, and delivers exactly once on the next app start', async () => {
    const device = await openDevice(
      rig,
      { signUp: uniqueEmail('ff-closed') },
      { workerIdleTimeoutMs: IDLE_TIMEOUT_MS },
    );
    firefox = device.firefox;
    await rig.server.kill();
    await createNotes(device.page, device.workspaceId, 'tabs closed', 20);
    await waitForFailedAttempt(device);
    await device.page.close();
    expect(await firefox.pages()).toEqual([]);
    const stopped = await firefox.waitForWorkerStopped(rig.origin);

    await rig.server.restart();
    // No tab, no worker, no timer: nothing runs until the app opens again.
    expect(await serverCards(rig, device.email)).toEqual([]);
    const page = await openApp(firefox, rig.origin);
    await waitForServerCards(rig, device.email, 20);
    await waitFor(async () => (await outboxState(page)).pending === 0, { message: 'an empty outbox' });
    await expectExactlyOnceOnServer(rig, device.email, titled('tabs closed', 20, 1));
    expect(await outboxState(page)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
    // The app start ran a new worker: the one that had the outbox's timers was gone.
    expect((await firefox.workerState(rig.origin))?.launchCount).toBeGreaterThan(stopped.launchCount);
  });
});
