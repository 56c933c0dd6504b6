import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage } from '../support/browser.ts';
import { type AppRig, card, goTo, openBurrow, startRig } from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

describe('dates in the person’s locale', () => {
  it('writes every date as German does in a de-DE browser, never as ISO', async () => {
    const device = await rig.browser.browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    const page = await openBurrow(rig, device);
    await inPage(page, async (burrow) => {
      await burrow.create('cards', {
        kind: 'note',
        title: 'Imported note',
        content: '',
        tags: [],
        collectionIds: [],
        pinned: false,
        savedAt: '2026-03-04T10:00:00.000Z',
      });
      await burrow.create('events', {
        title: 'Konzert',
        date: '2031-05-15',
        start: '19:30',
        end: '22:00',
        notes: null,
      });
      await burrow.create('todos', { text: 'Karten abholen', done: false, due: '2031-05-16', position: 1 });
    });

    // A card's saved date.
    await card(page, 'Imported note').locator('time').filter({ hasText: '04.03.2026' }).waitFor();

    // The agenda's day and times.
    await goTo(page, 'Agenda');
    const day = page.getByRole('region', { name: 'Donnerstag, 15. Mai 2031' });
    await day.getByRole('heading', { name: 'Donnerstag, 15. Mai 2031' }).waitFor();
    expect(await day.locator('.event-time').textContent()).toBe('19:30–22:00');

    // A todo's due date.
    await goTo(page, 'Todos');
    const due = page.getByRole('listitem').filter({ hasText: 'Karten abholen' }).locator('time');
    expect(await due.textContent()).toBe('16. Mai 2031');

    // The Trash.
    await inPage(page, async (burrow) => {
      const [event] = await burrow.list('events');
      await burrow.remove('events', event.id);
    });
    await goTo(page, 'Trash');
    const deleted = page.getByRole('listitem').filter({ hasText: 'Konzert' });
    expect(await deleted.locator('time').textContent()).toBe('15. Mai 2031');

    const shown = await page.locator('main').innerText();
    expect(shown).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    await device.close();
  });
});
