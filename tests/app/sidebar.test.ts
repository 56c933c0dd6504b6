import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage } from '../support/browser.ts';
import { type AppRig, openBurrow, startRig } from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

/** Whether the element is wholly inside the window, as the page is (not scrolled). */
async function inView(page: Page, name: string): Promise<boolean> {
  const box = await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name, exact: true })
    .boundingBox();
  const size = page.viewportSize()!;
  return box !== null && box.y >= 0 && box.y + box.height <= size.height;
}

describe('the sidebar with 100 collections', () => {
  it('keeps Trash in reach at 1280 and 390 px, and folds a collection, remembered', async () => {
    const device = await rig.browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await openBurrow(rig, device);
    await inPage(page, async (burrow) => {
      const [workspace] = await burrow.workspaces();
      const workspaceId = workspace?.id;
      for (let group = 1; group <= 20; group++) {
        const parent = await burrow.create('collections', { name: `Group ${group}`, position: group }, { workspaceId });
        for (let child = 1; child <= 4; child++) {
          await burrow.create(
            'collections',
            { name: `Folder ${group}.${child}`, parentId: parent.id, position: child },
            { workspaceId: parent.workspaceId },
          );
        }
      }
    });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Folder 20.4' }).waitFor({ state: 'attached' });
    expect(await inView(page, 'Trash')).toBe(true);

    await nav.getByRole('button', { name: 'Collapse Group 1', exact: true }).click();
    await nav.getByRole('link', { name: 'Folder 1.1' }).waitFor({ state: 'detached' });
    await page.reload();
    await nav.getByRole('link', { name: 'Group 1', exact: true }).waitFor();
    await nav.getByRole('button', { name: 'Expand Group 1', exact: true }).waitFor();
    expect(await nav.getByRole('link', { name: 'Folder 1.1' }).count()).toBe(0);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: 'Trash' }).waitFor();
    expect(await inView(page, 'Trash')).toBe(true);
    await device.close();
  });
});
