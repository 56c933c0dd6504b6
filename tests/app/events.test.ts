import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage } from '../support/browser.ts';
import { type AppRig, goTo, openBurrow, startRig } from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

/** The stored events' fields, as the store has them. */
function storedEvents(page: Page) {
  return inPage(page, async (burrow) => (await burrow.list('events')).map((record) => record.fields));
}

function openEvent(page: Page, title: string) {
  return page.getByRole('button', { name: title, exact: true }).click();
}

describe('events are editable', () => {
  it('keeps every change to an opened event: after a pause and a reload, after Esc, after a click outside', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    await inPage(page, (burrow) =>
      burrow.create('events', { title: 'Dentist', date: '2031-05-14', start: '09:00', end: null, notes: null }),
    );
    await goTo(page, 'Agenda');

    await openEvent(page, 'Dentist');
    let dialog = page.getByRole('dialog', { name: 'Edit event' });
    await dialog.getByLabel('Title').fill('Dentist, check-up');
    await dialog
      .getByRole('status')
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Agenda' }).waitFor();

    await openEvent(page, 'Dentist, check-up');
    dialog = page.getByRole('dialog', { name: 'Edit event' });
    await dialog.getByLabel('Notes').pressSequentially('Bring the card');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await openEvent(page, 'Dentist, check-up');
    dialog = page.getByRole('dialog', { name: 'Edit event' });
    expect(await dialog.getByLabel('Notes').inputValue()).toBe('Bring the card');
    await dialog.getByLabel('Date').fill('2031-05-15');
    await dialog.getByLabel('Start').fill('10:30');
    await dialog.getByLabel('End').fill('11:15');
    // The backdrop: the top left corner of the window is outside the centred dialog.
    await page.mouse.click(3, 3);
    await dialog.waitFor({ state: 'detached' });

    expect(await storedEvents(page)).toEqual([
      { title: 'Dentist, check-up', date: '2031-05-15', start: '10:30', end: '11:15', notes: 'Bring the card' },
    ]);
    const day = page.getByRole('region', { name: /15/ });
    await day.getByRole('button', { name: 'Dentist, check-up', exact: true }).waitFor();
    await device.close();
  });

  it('keeps the editor open with the reason while a change cannot be saved, and Undo puts the event back', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    await inPage(page, (burrow) =>
      burrow.create('events', { title: 'Standup', date: '2031-06-01', start: null, end: null, notes: 'Room 4' }),
    );
    await goTo(page, 'Agenda');
    await openEvent(page, 'Standup');
    const dialog = page.getByRole('dialog', { name: 'Edit event' });
    await dialog.getByLabel('Notes').fill('Room 5');
    await dialog.getByLabel('Title').fill('');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog
      .getByRole('status')
      .filter({ hasText: /^Not saved yet$/ })
      .waitFor();
    await dialog
      .getByText(/^Title must be 1–500 characters/)
      .first()
      .waitFor();
    await dialog.getByRole('button', { name: 'Undo changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await storedEvents(page)).toEqual([
      { title: 'Standup', date: '2031-06-01', start: null, end: null, notes: 'Room 4' },
    ]);
    await device.close();
  });
});
