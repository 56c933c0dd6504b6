/** Tabs and devices: two tabs committing at once share one gap-free outbox and see each other; a second device follows by poke and pull. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage, openApp, waitFor } from '../support/browser.ts';
import {
  duplicatesBy,
  type EngineRig,
  openDevice,
  outboxState,
  startRig,
  uniqueEmail,
  waitForServerCards,
} from './engine-rig.ts';

/** Records, in the page, the ids of every change notice it gets (any source). */
const RECORD_NOTICES = `
  window.noticed = new Set();
  window.burrow.subscribe((notice) => { for (const record of notice.records) window.noticed.add(record.id); });
`;

describe('two tabs and two devices', () => {
  let rig: EngineRig;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('delivers commits from two tabs at once with gap-free seqs, and each tab sees the other live', async () => {
    const device = await openDevice(rig, { signUp: uniqueEmail('tabs') });
    const second = await openApp(device.context, rig.origin);
    const tabs = [device.page, second];
    for (const tab of tabs) await tab.evaluate(RECORD_NOTICES);

    const commitFrom = (tab: (typeof tabs)[number], label: string) =>
      inPage(
        tab,
        async (burrow, arg) => {
          const ids: string[] = [];
          for (let i = 0; i < 50; i++) {
            const fields = {
              kind: 'note',
              title: `${arg.label} ${i}`,
              content: '',
              tags: [],
              collectionIds: [],
              pinned: false,
            };
            ids.push((await burrow.create('cards', fields, { workspaceId: arg.workspaceId })).id);
          }
          return ids;
        },
        { label, workspaceId: device.workspaceId },
      );
    const [firstIds, secondIds] = await Promise.all([
      commitFrom(device.page, 'tab one'),
      commitFrom(second, 'tab two'),
    ]);

    const cards = await waitForServerCards(rig, device.email, 100);
    expect(cards).toHaveLength(100);
    expect(duplicatesBy(cards, (card) => String(card.fields.title))).toEqual([]);
    expect(cards.every((card) => card.version === 1)).toBe(true);
    // A seq gap would leave entries stuck in the outbox; a refused one would land in failed.
    for (const tab of tabs) {
      await waitFor(async () => (await outboxState(tab)).pending === 0, { message: 'an empty outbox' });
      expect(await outboxState(tab)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
    }

    const noticedIn = (tab: (typeof tabs)[number]) => tab.evaluate('[...window.noticed]') as Promise<string[]>;
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
    await device.context.close();
  });

  it('shows a change from another device of the same account through poke and pull', async () => {
    const email = uniqueEmail('devices');
    const laptop = await openDevice(rig, { signUp: email });
    const phone = await openDevice(rig, { signIn: email });
    await phone.page.evaluate(RECORD_NOTICES);

    const card = await inPage(
      laptop.page,
      (burrow, arg) =>
        burrow.create(
          'cards',
          { kind: 'note', title: 'from the laptop', content: '', tags: [], collectionIds: [], pinned: false },
          { workspaceId: arg.workspaceId },
        ),
      { workspaceId: laptop.workspaceId },
    );
    // The phone never asks: only the server's poke makes it pull.
    const seen = await waitFor(
      () => inPage(phone.page, (burrow, arg) => burrow.get('cards', arg.id), { id: card.id }),
      {
        message: 'the laptop card on the phone',
      },
    );
    expect(seen.fields.title).toBe('from the laptop');
    expect(await phone.page.evaluate(`window.noticed.has(${JSON.stringify(card.id)})`)).toBe(true);

    await inPage(laptop.page, (burrow, arg) => burrow.update('cards', arg.id, { title: 'edited on the laptop' }), {
      id: card.id,
    });
    const edited = await waitFor(
      () =>
        inPage(
          phone.page,
          async (burrow, arg) => {
            const record = await burrow.get('cards', arg.id);
            return record?.fields.title === 'edited on the laptop' ? record : null;
          },
          { id: card.id },
        ),
      { message: 'the laptop edit on the phone' },
    );
    expect(edited.version).toBe(2);
    await laptop.context.close();
    await phone.context.close();
  });
});
