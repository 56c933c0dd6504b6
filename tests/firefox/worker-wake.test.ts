/**
 * Firefox has no Background Sync: a stopped worker runs again only when something wakes it. A
 * navigation to the origin is such a wake: the worker drains on it at once, whatever backoff the
 * stopped worker's timer (gone with it) was waiting out, and lives until that drain has ended.
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
import { type FirefoxRig, openApp, openDevice, startFirefoxRig } from './firefox-rig.ts';

/** Short enough for a test to see Firefox stop the idle worker; 30 s by default. */
const IDLE_TIMEOUT_MS = 2_000;

/** A server behind a gateway that answers 503 with this Retry-After while it is away (a deploy, say). */
const RETRY_AFTER_SECONDS = 600;

describe('Firefox: a navigation wakes the stopped worker', () => {
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

  it('delivers the outbox exactly once on a navigation after the idle worker stopped, the server back', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('ff-wake') }, { workerIdleTimeoutMs: IDLE_TIMEOUT_MS });
    firefox = device.firefox;
    rig.proxy.addRule({
      method: 'POST',
      path: '/api/sync/push',
      action: { kind: 'status', status: 503, retryAfterSeconds: RETRY_AFTER_SECONDS },
    });
    await createNotes(device.page, device.workspaceId, 'asked to wait', 20);
    const nextAttemptAt = await waitFor(
      () => inPage(device.page, async (burrow) => (await burrow.pendingMutations())[0]?.nextAttemptAt ?? null),
      { message: 'the outbox waiting for its Retry-After' },
    );
    expect(nextAttemptAt).toBeGreaterThan(Date.now() + 60_000);
    await device.page.close();
    await firefox.waitForWorkerStopped(rig.origin);

    rig.proxy.clearRules();
    expect(await serverCards(rig, device.email)).toEqual([]);
    // The person comes back: the tab's own triggers respect the backoff; the navigation does not wait.
    const page = await firefox.newPage();
    await page.goto(rig.origin);
    await waitForServerCards(rig, device.email, 20, 30_000);
    await waitFor(async () => (await outboxState(page)).pending === 0, { message: 'an empty outbox' });
    await expectExactlyOnceOnServer(rig, device.email, titled('asked to wait', 20, 1));
  });

  it('lives on a navigation until its drain has ended, however long the server takes to answer', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('ff-held') }, { workerIdleTimeoutMs: IDLE_TIMEOUT_MS });
    firefox = device.firefox;
    await rig.server.kill();
    await createNotes(device.page, device.workspaceId, 'slow server', 20);
    await waitFor(() => inPage(device.page, (burrow) => burrow.status().lastError !== null), {
      message: 'a failed delivery attempt',
    });
    await device.page.close();
    await firefox.waitForWorkerStopped(rig.origin);

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
    const health = await firefox.newPage();
    await health.goto(new URL('/api/health', rig.origin).href);
    await waitForServerCards(rig, device.email, 20, 30_000);
    await firefox.waitForWorkerStopped(rig.origin);

    // The worker took the answer before it stopped: the app finds nothing left to send.
    const page = await openApp(firefox, rig.origin);
    await waitFor(async () => (await outboxState(page)).pending === 0, { message: 'an empty outbox' });
    expect(pushes() - pushesBefore).toBe(1);
    await expectExactlyOnceOnServer(rig, device.email, titled('slow server', 20, 1));
  });
});
