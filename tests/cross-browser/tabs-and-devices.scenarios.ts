/**
 * Tabs and devices in any browser: a reload in the middle of a drain, two tabs committing at once
 * with gap-free seqs and live updates, and a second device of the same account following by poke
 * and pull. Run by the Firefox and WebKit suites on their own devices.
 */
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
import {
  type AppDevice,
  type AppTab,
  type BrowserRig,
  type BrowserUnderTest,
  openAppIn,
  openDevice,
} from './browser-rig.ts';

/** Records, in the page, the ids of every change notice it gets (any source). */
const RECORD_NOTICES = `void (
  window.noticed = new Set(),
  window.burrow.subscribe((notice) => { for (const record of notice.records) window.noticed.add(record.id); })
)`;

function noticedIn(tab: AppTab): Promise<string[]> {
  return tab.evaluate('[...window.noticed]') as Promise<string[]>;
}

/**
 * Starts `count` creates in the tab without waiting for them (collected from `window.created`):
 * WebDriver runs one script at a time, so two tabs commit at once only when neither script waits.
 */
function startCreating(tab: AppTab, workspaceId: string, prefix: string, count: number): Promise<unknown> {
  return tab.evaluate(`void (window.created = (async () => {
    const ids = [];
    for (let i = 0; i < ${count}; i++) {
      const fields = { kind: 'note', title: ${JSON.stringify(prefix)} + ' ' + i, content: '', tags: [], collectionIds: [], pinned: false };
      ids.push((await window.burrow.create('cards', fields, { workspaceId: ${JSON.stringify(workspaceId)} })).id);
    }
    return ids;
  })())`);
}

export function describeTabsAndDevices<Device extends AppDevice>(browser: BrowserUnderTest<Device>): void {
  describe(`${browser.name} tabs and devices`, () => {
    let rig: BrowserRig<Device>;
    const devices: Device[] = [];

    beforeAll(async () => {
      rig = await browser.startRig();
    });
    afterEach(async () => {
      rig.proxy.clearRules();
      for (const device of devices.splice(0)) await device.close();
    });
    afterAll(async () => {
      await rig?.close();
    });

    it('delivers exactly once across a reload in the middle of a drain', async () => {
      const device = await openDevice(rig, { signUp: uniqueEmail(`${browser.prefix}-reload`) });
      devices.push(device.device);
      // The server commits each push, then its answer waits: the reload lands while a batch is in flight.
      rig.proxy.addRule({
        method: 'POST',
        path: '/api/sync/push',
        action: { kind: 'delay', ms: 1500, at: 'response' },
      });
      const pushes = () => rig.proxy.log.filter((entry) => entry.path === '/api/sync/push').length;
      const pushesBefore = pushes();
      await createNotes(device.tab, device.workspaceId, 'before reload', 40);
      await waitFor(() => pushes() > pushesBefore, { message: 'a push in flight' });
      await device.tab.reload();
      await waitForPage(device.tab, '"burrow" in window', { message: 'window.burrow after the reload' });
      await inPage(device.tab, (burrow) => burrow.ready.then(() => null));
      await createNotes(device.tab, device.workspaceId, 'after reload', 20);

      await waitForServerCards(rig, device.email, 60);
      await waitFor(async () => (await outboxState(device.tab)).pending === 0, { message: 'an empty outbox' });
      await expectExactlyOnceOnServer(
        rig,
        device.email,
        new Map([...titled('before reload', 40, 1), ...titled('after reload', 20, 1)]),
      );
      expect(await outboxState(device.tab)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
    });

    it('delivers commits from two tabs at once with gap-free seqs, and each tab sees the other live', async () => {
      const device = await openDevice(rig, { signUp: uniqueEmail(`${browser.prefix}-tabs`) });
      devices.push(device.device);
      const second = await openAppIn(await device.device.newTab(), rig.origin);
      const tabs = [device.tab, second];
      for (const tab of tabs) await tab.evaluate(RECORD_NOTICES);
      const [seqBefore] = serverClientSeqs(rig, device.email);

      await startCreating(device.tab, device.workspaceId, 'tab one', 50);
      await startCreating(second, device.workspaceId, 'tab two', 50);
      const firstIds = (await device.tab.evaluate('window.created')) as string[];
      const secondIds = (await second.evaluate('window.created')) as string[];

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

      await waitFor(async () => (await noticedIn(device.tab)).filter((id) => secondIds.includes(id)).length === 50, {
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

    it('shows a change from another device of the same account through poke and pull', async () => {
      const email = uniqueEmail(`${browser.prefix}-devices`);
      const laptop = await openDevice(rig, { signUp: email });
      devices.push(laptop.device);
      const phone = await openDevice(rig, { signIn: email });
      devices.push(phone.device);
      await phone.tab.evaluate(RECORD_NOTICES);

      const [id] = await createNotes(laptop.tab, laptop.workspaceId, 'from the laptop', 1);
      // The phone never asks: only the server's poke makes it pull.
      const seen = await waitFor(() => inPage(phone.tab, (burrow, arg) => burrow.get('cards', arg.id), { id }), {
        message: 'the laptop card on the phone',
      });
      expect(seen.fields.title).toBe('from the laptop 0');
      expect(await phone.tab.evaluate(`window.noticed.has(${JSON.stringify(id)})`)).toBe(true);

      await inPage(laptop.tab, (burrow, arg) => burrow.update('cards', arg.id, { title: 'edited on the laptop' }), {
        id,
      });
      const edited = await waitFor(
        () =>
          inPage(
            phone.tab,
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
}
