import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../protocol/index.ts';
import {
  type AppRig,
  addLink,
  addNote,
  type BurrowWindow,
  card,
  goTo,
  openBurrow,
  screenshotPath,
  startRig,
} from './app-rig.ts';
import { seriousViolations } from './axe-check.ts';

let rig: AppRig;
let device: BrowserContext;
/** One seeded page for both colour schemes (switched with emulateMedia), so seeding runs once. */
let page: Page;

beforeAll(async () => {
  rig = await startRig();
  device = await rig.browser.browser.newContext({ viewport: VIEWPORTS[1] });
  page = await openBurrow(rig, device);
  await seed(page);
});

afterAll(async () => {
  await device?.close();
  await rig?.close();
});

/** Something in every main view, so the screenshots show the views in use, not only empty states. */
async function seed(page: Page) {
  await addLink(page, 'https://developer.mozilla.org/en-US/docs/Web/Progressive_web_apps', 'Progressive web apps');
  await addNote(page, 'Leek and potato soup', '# Soup\n\n- 2 leeks\n- 3 potatoes\n\nSimmer **20 minutes**.');
  await addNote(page, 'Reading list', 'Books for the *winter*.');
  await addNote(page, 'Old idea', 'Not needed any more.');
  await card(page, 'Old idea').getByRole('button', { name: 'Delete Old idea' }).click();
  await card(page, 'Old idea').waitFor({ state: 'detached' });
  await goTo(page, 'Todos');
  await page.getByLabel('New todo').fill('Buy leeks');
  await page.getByRole('button', { name: 'Add todo' }).click();
  await page.getByRole('checkbox', { name: 'Done: Buy leeks' }).waitFor();
  await goTo(page, 'Agenda');
  await page.getByLabel('New event').fill('Soup night');
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByText('Soup night').waitFor();
}

/** The screenshots are of the views: the passing "Saved …" messages would cover them. */
const HIDE_TOASTS = '.toasts { visibility: hidden; }';

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

describe('accessibility and looks', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation on the main views (${colorScheme}) and screenshots them`, async () => {
      await page.emulateMedia({ colorScheme });
      const problems: string[] = [];
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport);
        const shoot = (view: string) =>
          page.screenshot({
            path: screenshotPath(`${view}-${viewport.name}-${colorScheme}`),
            fullPage: false,
            style: HIDE_TOASTS,
          });
        await goTo(page, 'All cards');
        problems.push(...(await seriousViolations(page)).map((problem) => `cards: ${problem}`));
        await shoot('cards');
        for (const view of ['Todos', 'Agenda', 'Trash', 'Import and export'] as const) {
          await goTo(page, view);
          problems.push(...(await seriousViolations(page)).map((problem) => `${view}: ${problem}`));
          await shoot(view.toLowerCase().replaceAll(' ', '-'));
        }
        await goTo(page, 'Agenda');
        await page.getByRole('button', { name: 'Soup night', exact: true }).click();
        const eventEditor = page.getByRole('dialog', { name: 'Edit event' });
        await eventEditor.getByLabel('Notes').waitFor();
        problems.push(...(await seriousViolations(page)).map((problem) => `event editor: ${problem}`));
        await shoot('event-editor');
        await eventEditor.getByRole('button', { name: 'Close' }).click();
        await eventEditor.waitFor({ state: 'detached' });
        await goTo(page, 'All cards');
        await page.getByRole('button', { name: 'Leek and potato soup', exact: true }).click();
        const editor = page.getByRole('dialog', { name: 'Edit note' });
        await editor.getByRole('button', { name: 'Preview' }).click();
        problems.push(...(await seriousViolations(page)).map((problem) => `editor: ${problem}`));
        await shoot('editor');
        await editor.getByRole('button', { name: 'Close' }).click();
        await page.getByRole('button', { name: /^Sync status:/ }).click();
        // The queue names what each change is about, a deletion too (it carries no fields).
        await page.getByRole('dialog', { name: 'Sync' }).getByText('Deletion of card “Old idea”').waitFor();
        problems.push(...(await seriousViolations(page)).map((problem) => `sync panel: ${problem}`));
        await shoot('sync-panel');
        await page.keyboard.press('Escape');
        await page.getByRole('dialog').waitFor({ state: 'detached' });
      }
      expect(problems).toEqual([]);
    });
  }

  it(`shows collections nested as deep as they go (${LIMITS.collectionDepth} levels) at every size`, async () => {
    const names = [
      'Projects',
      'Clients',
      'Northwind Trading',
      'Website redesign',
      'Research',
      'Interviews',
      'Round two',
      'Transcripts',
    ];
    const deepest = await page.evaluate(async (chain) => {
      const { burrow } = globalThis as unknown as BurrowWindow;
      const [workspace] = await burrow.workspaces();
      let parentId: string | null = null;
      for (const [position, name] of chain.entries()) {
        const created = await burrow.create('collections', { name, parentId, position }, { workspaceId: workspace.id });
        parentId = created.id;
      }
      return parentId as string;
    }, names);
    const problems: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport);
        const shoot = (view: string) =>
          page.screenshot({ path: screenshotPath(`${view}-${viewport.name}-${colorScheme}`), style: HIDE_TOASTS });
        const menu = page.getByRole('button', { name: 'Menu' });
        if (await menu.isVisible()) await menu.click();
        const sidebar = page.getByRole('navigation', { name: 'Main' });
        await sidebar.getByRole('link', { name: 'Transcripts' }).click();
        await page.getByRole('heading', { level: 1, name: 'Transcripts' }).waitFor();
        if (await menu.isVisible()) await menu.click();
        await sidebar.getByRole('link', { name: 'Transcripts' }).waitFor();
        problems.push(...(await seriousViolations(page)).map((problem) => `deep collections: ${problem}`));
        await shoot('collections-deep');
        if (await menu.isVisible()) await menu.click();
        await page.getByRole('button', { name: 'New subcollection' }).click();
        const dialog = page.getByRole('dialog', { name: 'New collection' });
        await dialog.getByText(`Collections nest at most ${LIMITS.collectionDepth} levels`).waitFor();
        problems.push(...(await seriousViolations(page)).map((problem) => `deepest subcollection: ${problem}`));
        await shoot('collections-too-deep');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'detached' });
      }
    }
    expect(deepest).toBeTruthy();
    expect(problems).toEqual([]);
  });
});
