/** Calm words while the server cannot be reached, is away (a 5xx) or asks to slow down (a 429). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage, openApp, waitFor } from '../support/browser.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { type AppRig, openBurrow, signIn, startRig, statusPill, uniqueEmail, waitSynced } from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

describe('a server that does not answer, the browser online', () => {
  it('is a calm state with Retry now, and the outbox drains as soon as the server is back', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    await signIn(page, uniqueEmail('unreachable'), 'Create account');
    await waitSynced(page);

    // Gone without a word, as a crashed or unplugged server: its data stays for the restart.
    await rig.server.kill();
    await inPage(page, async (burrow) => {
      const fields = { kind: 'note', content: 'written while the server was down', tags: [], collectionIds: [] };
      for (const title of ['One', 'Two', 'Three']) await burrow.create('cards', { ...fields, title, pinned: false });
    });
    await statusPill(page).filter({ hasText: "Can't reach Burrow" }).waitFor();
    // Not the red "needs you" tone: nothing is lost and nothing is asked of the person.
    expect(await statusPill(page).getAttribute('class')).not.toContain('tone-warn');

    await statusPill(page).click();
    const panel = page.getByRole('dialog', { name: 'Sync' });
    await panel.getByText("Can't reach Burrow — your changes are safe on this device; retrying.").waitFor();
    // Retry now, until the backoff has the next attempt at least 30 s away: the delivery below
    // then cannot be that attempt's.
    let nextAttemptAt = 0;
    await waitFor(
      async () => {
        await panel.getByRole('button', { name: 'Retry now' }).click();
        await panel.getByRole('button', { name: 'Retry now' }).waitFor();
        const status = await inPage(page, (burrow) => burrow.status());
        nextAttemptAt = status.nextAttemptAt ?? 0;
        return status.state === 'unreachable' && nextAttemptAt - Date.now() > 30_000;
      },
      { intervalMs: 0, timeoutMs: 60_000, message: 'a backoff of 30 s or more' },
    );
    expect(await panel.locator('.field-error').count()).toBe(0);
    await page.keyboard.press('Escape');

    await rig.server.restart();
    // The event stream reopens on its own and its pull gets through: the outbox goes then.
    await waitFor(() => inPage(page, async (burrow) => (await burrow.pendingMutations()).length === 0), {
      timeoutMs: 25_000,
      message: 'the outbox to drain once the server is back',
    });
    expect(Date.now()).toBeLessThan(nextAttemptAt);
    await statusPill(page).filter({ hasText: 'Synced' }).waitFor();
    await device.close();
  });
});

describe('a server away or asking this device to slow down', () => {
  it('is calm through a gateway answering 503 and is still syncing under 429s; the outbox drains after', async () => {
    const proxy = await startFaultProxy(rig.server.url);
    const device = await rig.browser.newDevice();
    try {
      const page = await openApp(device, proxy.url);
      await signIn(page, uniqueEmail('away'), 'Create account');
      await waitSynced(page);
      const headError = () => inPage(page, async (burrow) => (await burrow.pendingMutations())[0]?.lastError ?? null);
      const create = (title: string) =>
        inPage(
          page,
          (burrow, arg) =>
            burrow.create('cards', {
              kind: 'note',
              title: arg,
              content: '',
              tags: [],
              collectionIds: [],
              pinned: false,
            }),
          title,
        );

      // A deploy: the gateway answers 503 to everything of the API.
      proxy.addRule({ path: /^\/api\/sync\//, action: { kind: 'status', status: 503, retryAfterSeconds: 2 } });
      await create('written during a deploy');
      // The push's refusal, not only the pulls': they may be refused first.
      await waitFor(async () => /^HTTP 503/.test((await headError()) ?? ''), { message: 'a push answered 503' });
      await statusPill(page).filter({ hasText: "Can't reach Burrow" }).waitFor();
      expect(await statusPill(page).getAttribute('class')).not.toContain('tone-warn');

      // The server is back but this device is over its write rate: it keeps syncing at the server's pace.
      proxy.clearRules();
      proxy.addRule({
        method: 'POST',
        path: '/api/sync/push',
        action: { kind: 'status', status: 429, retryAfterSeconds: 2 },
      });
      await create('written while slowed down');
      await waitFor(async () => /^HTTP 429/.test((await headError()) ?? ''), { message: 'a push answered 429' });
      // The status is told once the drain has ended: an error would stay, and this time out.
      await waitFor(() => inPage(page, (burrow) => burrow.status().state === 'syncing'), {
        message: 'the status syncing under 429s',
      });
      await statusPill(page).filter({ hasText: 'Syncing' }).waitFor();
      expect(await statusPill(page).getAttribute('class')).not.toContain('tone-warn');

      proxy.clearRules();
      await waitSynced(page);
      expect(await inPage(page, async (burrow) => (await burrow.pendingMutations()).length)).toBe(0);
    } finally {
      await device.close();
      await proxy.close();
    }
  });
});
