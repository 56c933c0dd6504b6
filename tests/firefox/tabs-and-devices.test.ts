/**
 * Firefox tabs and devices: a reload in the middle of a drain, two tabs committing at once with
 * gap-free seqs and live updates, and a second device (another profile) following by poke and pull.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotes,
  expectExactlyOnceOnServer,
  outboxState,
  serverClientSeqs,
  titled,
  uniqueEmail,
  waitForServerCards,
} from '../engine/engine-rig.ts';
import { inPage, waitFor, waitForPage } from '../support/browser.ts';
import type { FirefoxDevice } from './firefox.ts';
import { type FirefoxRig, openApp, openDevice, startFirefoxRig } from './firefox-rig.ts';

/** Records, in the page, the ids of every change notice it gets (any source). */
const RECORD_NOTICES = `
  window.noticed = new Set();
  window.burrow.subscribe((notice) => { for (const record of notice.records) window.noticed.add(record.id); });
`;

function noticedIn(page: Page): Promise<string[]> {
  return page.evaluate('[...window.noticed]') as Promise<string[]>;
}

describe('Firefox tabs and devices', () => {
  let rig: FirefoxRig;
  const launched: FirefoxDevice[] = [];

  beforeAll(async () => {
    rig = await startFirefoxRig();
  });
  afterEach(async () => {
    rig.proxy.clearRules();
    for (const firefox of launched.splice(0)) await firefox.close();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('delivers exactly once across a reload in the middle of a drain', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('ff-reload') });
    launched.push(device.firefox);
    // The server commits each push, then its answer waits: the reload lands while a batch is in flight.
    rig.proxy.addRule({ method: 'POST', path: '/api/sync/push', action: { kind: 'delay', ms: 1500, at: 'response' } });
    const pushes = () => rig.proxy.log.filter((entry) => entry.path === '/api/sync/push').length;
    const pushesBefore = pushes();
    await createNotes(device.page, device.workspaceId, 'before reload', 40);
    await waitFor(() => pushes() > pushesBefore, { message: 'a push in flight' });
    await device.page.reload();
    await waitForPage(device.page, '"burrow" in window', { message: 'window.burrow after the reload' });
    await inPage(device.page, (burrow) => burrow.ready.then(() => null));
    await createNotes(device.page, device.workspaceId, 'after reload', 20);

    await waitForServerCards(rig, device.email, 60);
    await waitFor(async () => (await outboxState(device.page)).pending === 0, { message: 'an empty outbox' });
    await expectExactlyOnceOnServer(
      rig,
      device.email,
      new Map([...titled('before reload', 40, 1), ...titled('after reload', 20, 1)]),
    );
    expect(await outboxState(device.page)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
  });

  it('delivers commits from two tabs at once with gap-free seqs, and each tab sees the other live', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('ff-tabs') });
    launched.push(device.firefox);
    const second = await openApp(device.firefox, rig.origin);
    const tabs = [device.page, second];
    for (const tab of tabs) await tab.evaluate(RECORD_NOTICES);
    const [seqBefore] = serverClientSeqs(rig, device.email);

    const [firstIds, secondIds] = await Promise.all([
      createNotes(device.page, device.workspaceId, 'tab one', 50),
      createNotes(second, device.workspaceId, 'tab two', 50),
    ]);

    await waitForServerCards(rig, device.email, 100);
    for (const tab of tabs) {
      await waitFor(async () => (await outboxState(tab)).pending === 0, { message: 'an empty outbox' });
      expect(await outboxState(tab)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
    }
    await expectExactlyOnceOnServer(
      rig,
      device.email,
      new Map([...titled('tab one', 50, 1), ...titled('tab two', 50, 1)]),
    );
    // One client, whose 100 mutations the server took in order, each seq the one after the last.
    expect(serverClientSeqs(rig, device.email)).toEqual([(seqBefore ?? 0) + 100]);

    await waitFor(async () => (await noticedIn(device.page)).filter((id) => secondIds.includes(id)).length === 50, {
      message: "tab one noticing tab two's 50 cards",
    });
    await waitFor(async () => (await noticedIn(second)).filter((id) => firstIds.includes(id)).length === 50, {
      message: "tab two noticing tab one's 50 cards",
    });
    for (const tab of tabs) {
      const listed = await inPage(tab, async (burrow) => (await burrow.list('cards')).map((card) => card.id));
      expect(new Set(listed)).toEqual(new Set([...firstIds, ...secondIds]));
    }
  });

  it('shows a change from another device (another profile) of the same account through poke and pull', async () => {
    const email = uniqueEmail('ff-devices');
    const laptop = await openDevice(rig, { signUp: email });
    launched.push(laptop.firefox);
    const phone = await openDevice(rig, { signIn: email });
    launched.push(phone.firefox);
    await phone.page.evaluate(RECORD_NOTICES);

    const [id] = await createNotes(laptop.page, laptop.workspaceId, 'from the laptop', 1);
    // The phone never asks: only the server's poke makes it pull.
    const seen = await waitFor(() => inPage(phone.page, (burrow, arg) => burrow.get('cards', arg.id), { id }), {
      message: 'the laptop card on the phone',
    });
    expect(seen.fields.title).toBe('from the laptop 0');
    expect(await phone.page.evaluate(`window.noticed.has(${JSON.stringify(id)})`)).toBe(true);

    await inPage(laptop.page, (burrow, arg) => burrow.update('cards', arg.id, { title: 'edited on the laptop' }), {
      id,
    });
    const edited = await waitFor(
      () =>
        inPage(
          phone.page,
          async (burrow, arg) => {
            const record = await burrow.get('cards', arg.id);
            return record?.fields.title === 'edited on the laptop' ? record : null;
          },
          { id },
        ),
      { message: 'the laptop edit on the phone' },
    );
    expect(edited.version).toBe(2);
    await expectExactlyOnceOnServer(rig, email, new Map([['edited on the laptop', 2]]));
  });
});
