import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage } from '../support/browser.ts';
import {
  type AppRig,
  card,
  openBurrow,
  screenshotPath,
  signIn,
  startRig,
  statusPill,
  uniqueEmail,
  waitSynced,
} from './app-rig.ts';
import { seriousViolations } from './axe-check.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

const NOTE = { kind: 'note', content: '', tags: [], collectionIds: [], pinned: false };

async function createNotes(page: Page, titles: string[]): Promise<void> {
  await inPage(
    page,
    async (burrow, { note, titles }) => {
      for (const title of titles) await burrow.create('cards', { ...note, title });
    },
    { note: NOTE, titles },
  );
}

/** The figures of the open sync panel, by their terms ("Sent today" → "3"). */
async function figures(page: Page): Promise<Record<string, string>> {
  const dialog = page.getByRole('dialog', { name: 'Sync' });
  await dialog.getByRole('heading', { name: 'Figures' }).waitFor();
  return dialog
    .locator('.figure-list')
    .evaluate((list) =>
      Object.fromEntries(
        [...list.querySelectorAll('.figure')].map((figure) => [
          figure.querySelector('dt')?.textContent ?? '',
          figure.querySelector('dd')?.textContent ?? '',
        ]),
      ),
    );
}

describe('the sync panel', () => {
  it('counts what this device sent and received today, also while no tab was open, with the latency of the last hour', async () => {
    const email = uniqueEmail('figures');
    const laptopContext = await rig.browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    let laptop = await openBurrow(rig, laptopContext);
    await signIn(laptop, email, 'Create account');
    await waitSynced(laptop);
    // The first sync brought the account's workspace, which the server made at sign-up.
    await statusPill(laptop).click();
    await expect
      .poll(() => figures(laptop), { timeout: 30_000 })
      .toMatchObject({ 'Sent today': '0', 'Received today': '1', 'Failures today': '0' });
    await laptop.keyboard.press('Escape');
    await laptop.getByRole('dialog', { name: 'Sync' }).waitFor({ state: 'detached' });

    const phoneContext = await rig.browser.newDevice();
    const phone = await openBurrow(rig, phoneContext);
    await signIn(phone, email);
    await createNotes(phone, ['From the phone 1', 'From the phone 2']);
    await card(phone, 'From the phone 2').waitFor();
    await waitSynced(phone);

    // Written offline; the worker delivers them (and pulls the phone's) once the tab is closed.
    await laptopContext.setOffline(true);
    await createNotes(laptop, ['Laptop 1', 'Laptop 2', 'Laptop 3']);
    await card(laptop, 'Laptop 3').waitFor();
    await laptop.close();
    await laptopContext.setOffline(false);
    await card(phone, 'Laptop 3').waitFor();

    laptop = await openBurrow(rig, laptopContext);
    await card(laptop, 'From the phone 2').waitFor();
    await waitSynced(laptop);
    await statusPill(laptop).click();
    const dialog = laptop.getByRole('dialog', { name: 'Sync' });
    await dialog.getByText('Received today').waitFor();
    await expect
      .poll(() => figures(laptop), { timeout: 30_000 })
      .toMatchObject({
        'Sent today': '3',
        'Received today': '3',
        'Failures today': '0',
      });
    expect((await figures(laptop))['Last sync']).toMatch(/took \d/);
    const chart = dialog.getByRole('img', { name: /^Sync latency chart\. Last hour: median \d+ ms, slowest/ });
    await chart.waitFor();
    await dialog.getByText(/^Last hour: median \d+ ms, slowest \d+ ms \(\d+ requests\)\.$/).waitFor();

    const problems: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await laptop.emulateMedia({ colorScheme });
      for (const viewport of [
        { name: 'phone', width: 390, height: 844 },
        { name: 'desktop', width: 1280, height: 800 },
      ]) {
        await laptop.setViewportSize(viewport);
        problems.push(
          ...(await seriousViolations(laptop)).map((problem) => `${viewport.name} ${colorScheme}: ${problem}`),
        );
        await laptop.screenshot({ path: screenshotPath(`sync-figures-${viewport.name}-${colorScheme}`) });
      }
    }
    expect(problems).toEqual([]);

    // The phone's own figures: what it sent, and the workspace and the laptop's three as received.
    await statusPill(phone).click();
    await expect
      .poll(() => figures(phone), { timeout: 30_000 })
      .toMatchObject({ 'Sent today': '2', 'Received today': '4' });

    await phoneContext.close();
    await laptopContext.close();
  });
});
