/**
 * Delivery in a browser without Background Sync (Firefox, WebKit): the worker's retry timers
 * deliver while a tab stays open, and a navigation delivers at once whatever backoff the outbox
 * was waiting out. Run by the Firefox and WebKit suites on their own devices.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS } from '../../src/sync/http.ts';
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
import { type AppDevice, type BrowserRig, type BrowserUnderTest, openAppIn, openDevice } from './browser-rig.ts';

/** A server behind a gateway that answers 503 with this Retry-After while it is away (a deploy, say). */
const RETRY_AFTER_SECONDS = 600;

export interface DeliveryBrowser<Device extends AppDevice> extends BrowserUnderTest<Device> {
  /** A device for the navigation test (e.g. one whose idle worker stops soon). */
  wakeDevice?(rig: BrowserRig<Device>): Promise<Device>;
  /** After the app's tab closed, before the navigation (e.g. until the idle worker stopped). */
  afterAppClosed?(device: Device, rig: BrowserRig<Device>): Promise<unknown>;
}

export function describeDelivery<Device extends AppDevice>(browser: DeliveryBrowser<Device>): void {
  describe(`${browser.name} delivery without Background Sync`, () => {
    let rig: BrowserRig<Device>;
    let device: Device | undefined;

    beforeAll(async () => {
      rig = await browser.startRig();
    });
    afterEach(async () => {
      rig.proxy.clearRules();
      await device?.close();
      device = undefined;
    });
    afterAll(async () => {
      await rig?.close();
    });

    it("delivers commits made while the server is down on the worker's retry timers, the tab kept open", async () => {
      const opened = await openDevice(rig, { signUp: uniqueEmail(`${browser.prefix}-retry`) });
      device = opened.device;
      await rig.server.kill();
      await createNotes(opened.tab, opened.workspaceId, 'while down', 20);
      // A push the network neither answers nor refuses fails only at the request timeout (30 s),
      // which this wait used to equal: it ran out once in CI, most likely on such a push.
      await waitFor(() => inPage(opened.tab, (burrow) => burrow.status().lastError !== null), {
        message: 'a failed delivery attempt',
        timeoutMs: DEFAULT_TIMEOUT_MS + 15_000,
      });
      await rig.server.restart();

      // The page stays open and says nothing but its ping, once a minute: the worker's backoff
      // timers (a few seconds after a short outage) are what delivers within this wait.
      await waitForServerCards(rig, opened.email, 20, 40_000);
      await waitFor(async () => (await outboxState(opened.tab)).pending === 0, { message: 'an empty outbox' });
      await expectExactlyOnceOnServer(rig, opened.email, titled('while down', 20, 1));
    });

    it('delivers exactly once on a navigation, without waiting out the backoff the outbox was given', async () => {
      const account = { signUp: uniqueEmail(`${browser.prefix}-wake`) };
      const opened = await openDevice(rig, account, await browser.wakeDevice?.(rig));
      device = opened.device;
      rig.proxy.addRule({
        method: 'POST',
        path: '/api/sync/push',
        action: { kind: 'status', status: 503, retryAfterSeconds: RETRY_AFTER_SECONDS },
      });
      await createNotes(opened.tab, opened.workspaceId, 'asked to wait', 20);
      const nextAttemptAt = await waitFor(
        () => inPage(opened.tab, async (burrow) => (await burrow.pendingMutations())[0]?.nextAttemptAt ?? null),
        { message: 'the outbox waiting for its Retry-After' },
      );
      expect(nextAttemptAt).toBeGreaterThan(Date.now() + 60_000);
      // The device lives on in a blank tab (a WebDriver session ends with its last window).
      const blank = await device.newTab();
      await opened.tab.close();
      await browser.afterAppClosed?.(device, rig);

      rig.proxy.clearRules();
      expect(await serverCards(rig, opened.email)).toEqual([]);
      // The person comes back: the tab's own triggers respect the backoff; the navigation does not wait.
      const tab = await openAppIn(blank, rig.origin);
      await waitForServerCards(rig, opened.email, 20, 30_000);
      await waitFor(async () => (await outboxState(tab)).pending === 0, { message: 'an empty outbox' });
      await expectExactlyOnceOnServer(rig, opened.email, titled('asked to wait', 20, 1));
    });
  });
}
