/**
 * Firefox with the idle worker stopped (no tab, no timer, no Background Sync): nothing is lost and
 * the next app start delivers; a navigation wakes the worker, which lives until its drain ended.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAppIn, openDevice } from '../cross-browser/browser-rig.ts';
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
import { type FirefoxDevice, launchFirefoxDevice } from './firefox.ts';
import { FIREFOX, type FirefoxRig, IDLE_TIMEOUT_MS } from './firefox-rig.ts';

describe('Firefox with the idle worker stopped', () => {
  let rig: FirefoxRig;
  let firefox: FirefoxDevice | undefined;

  beforeAll(async () => {
    rig = await FIREFOX.startRig();
  });
  afterEach(async () => {
    rig.proxy.clearRules();
    await firefox?.close();
    firefox = undefined;
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** A signed-up device whose worker Firefox stops after IDLE_TIMEOUT_MS without a client. */
  async function openQuicklyIdleDevice(prefix: string) {
    firefox = await launchFirefoxDevice({ workerIdleTimeoutMs: IDLE_TIMEOUT_MS });
    return openDevice(rig, { signUp: uniqueEmail(prefix) }, firefox);
  }

  it('loses nothing while every tab is closed and the idle worker stopped, and delivers exactly once on the next app start', async () => {
    const device = await openQuicklyIdleDevice('ff-closed');
    await rig.server.kill();
    await createNotes(device.tab, device.workspaceId, 'tabs closed', 20);
    await waitFor(() => inPage(device.tab, (burrow) => burrow.status().lastError !== null), {
      message: 'a failed delivery attempt',
    });
    await device.tab.close();
    expect(await device.device.pages()).toEqual([]);
    const stopped = await device.device.waitForWorkerStopped(rig.origin);

    await rig.server.restart();
    // No tab, no worker, no timer: nothing runs until the app opens again.
    expect(await serverCards(rig, device.email)).toEqual([]);
    const page = await openAppIn(await device.device.newTab(), rig.origin);
    await waitForServerCards(rig, device.email, 20);
    await waitFor(async () => (await outboxState(page)).pending === 0, { message: 'an empty outbox' });
    await expectExactlyOnceOnServer(rig, device.email, titled('tabs closed', 20, 1));
    expect(await outboxState(page)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
    // The app start ran a new worker: the one that had the outbox's timers was gone.
    expect((await device.device.workerState(rig.origin))?.launchCount).toBeGreaterThan(stopped.launchCount);
  });

  it('lives on a navigation until its drain has ended, however long the server takes to answer', async () => {
    const device = await openQuicklyIdleDevice('ff-held');
    await rig.server.kill();
    await createNotes(device.tab, device.workspaceId, 'slow server', 20);
    await waitFor(() => inPage(device.tab, (burrow) => burrow.status().lastError !== null), {
      message: 'a failed delivery attempt',
    });
    await device.tab.close();
    await device.device.waitForWorkerStopped(rig.origin);

    await rig.server.restart();
    // The server takes three idle timeouts to answer the next push.
    rig.proxy.addRule({
      method: 'POST',
      path: '/api/sync/push',
      action: { kind: 'delay', ms: 3 * IDLE_TIMEOUT_MS, at: 'response' },
      times: 1,
    });
    const pushes = () => rig.proxy.log.filter((entry) => entry.path === '/api/sync/push').length;
    const pushesBefore = pushes();
    // A page of the origin the app does not run in: only the worker's own wake can deliver.
    const health = await device.device.newTab();
    await health.goto(new URL('/api/health', rig.origin).href);
    await waitForServerCards(rig, device.email, 20, 30_000);
    await device.device.waitForWorkerStopped(rig.origin);

    // The worker took the answer before it stopped: the app finds nothing left to send.
    const page = await openAppIn(await device.device.newTab(), rig.origin);
    await waitFor(async () => (await outboxState(page)).pending === 0, { message: 'an empty outbox' });
    expect(pushes() - pushesBefore).toBe(1);
    await expectExactlyOnceOnServer(rig, device.email, titled('slow server', 20, 1));
  });
});
