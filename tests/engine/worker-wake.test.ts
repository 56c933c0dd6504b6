/**
 * Chromium: what wakes a stopped worker drains first. A navigation delivers at once, whatever
 * backoff the stopped worker's timer was waiting out; a periodic sync delivers with no page open.
 * Background Sync is denied here: the sync event a failed drain registers is a wake of its own,
 * and one firing after the worker stopped delivered before the wake under test (a flake in CI).
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PERIODIC_SYNC_TAG } from '../../src/sync/worker-protocol.ts';
import { denyBackgroundSync, dispatchPeriodicSync, openApp, stopServiceWorkers, waitFor } from '../support/browser.ts';
import {
  createNotes,
  type Device,
  type EngineRig,
  expectExactlyOnceOnServer,
  openDevice,
  outboxState,
  serverCards,
  startRig,
  titled,
  uniqueEmail,
  waitForServerCards,
} from './engine-rig.ts';

/** A server behind a gateway that answers 503 with this Retry-After while it is away (a deploy, say). */
const RETRY_AFTER_SECONDS = 600;

/** Commits `count` notes while the gateway asks to wait, then closes every tab and stops the worker. */
async function commitWhileAskedToWait(rig: EngineRig, device: Device, prefix: string, count: number): Promise<void> {
  await denyBackgroundSync(device.context, rig.origin);
  const registers = "navigator.serviceWorker.ready.then((r) => r.sync.register('probe').then(() => true, () => false))";
  expect(await device.page.evaluate(registers)).toBe(false);
  rig.proxy.addRule({
    method: 'POST',
    path: '/api/sync/push',
    action: { kind: 'status', status: 503, retryAfterSeconds: RETRY_AFTER_SECONDS },
  });
  await createNotes(device.page, device.workspaceId, prefix, count);
  const nextAttemptAt = await waitFor(
    () => device.page.evaluate('window.burrow.pendingMutations().then((entries) => entries[0]?.nextAttemptAt ?? null)'),
    { message: 'the outbox waiting for its Retry-After' },
  );
  expect(nextAttemptAt).toBeGreaterThan(Date.now() + 60_000);
  await device.page.close();
  await stopWorkers(device.context);
  rig.proxy.clearRules();
  expect(await serverCards(rig, device.email)).toEqual([]);
}

async function stopWorkers(context: BrowserContext): Promise<void> {
  const blank = await context.newPage();
  await stopServiceWorkers(blank);
  await blank.close();
}

describe('waking a stopped worker', () => {
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

  it('delivers exactly once on a navigation, without waiting out the backoff of the stopped worker', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('wake-nav') });
    await commitWhileAskedToWait(rig, device, 'asked to wait', 20);

    // The tab's own triggers respect the backoff, and no sync event can fire: the navigation is
    // what delivers.
    const page = await openApp(device.context, rig.origin);
    await waitForServerCards(rig, device.email, 20, 30_000);
    await waitFor(async () => (await outboxState(page)).pending === 0, { message: 'an empty outbox' });
    await expectExactlyOnceOnServer(rig, device.email, titled('asked to wait', 20, 1));
    await device.context.close();
  });

  it('delivers exactly once on a periodic sync with no page open', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('wake-periodic') });
    await commitWhileAskedToWait(rig, device, 'periodic', 20);

    await dispatchPeriodicSync(device.context, rig.origin, PERIODIC_SYNC_TAG);
    await waitForServerCards(rig, device.email, 20, 30_000);
    await expectExactlyOnceOnServer(rig, device.email, titled('periodic', 20, 1));
    await device.context.close();
  });
});
