import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppRig, openBurrow, screenshotPath, startRig, statusPill } from './app-rig.ts';
import { seriousViolations } from './axe-check.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

/** The header's controls, in the order a person meets them. */
function headerControls(page: Page) {
  const header = page.locator('header.app-header');
  return {
    header,
    controls: [
      header.getByRole('button', { name: 'Menu' }),
      header.getByRole('combobox', { name: 'Workspace' }),
      header.getByRole('searchbox', { name: 'Search cards' }),
      statusPill(page),
      header.getByRole('button', { name: 'Sign in', exact: true }),
    ],
  };
}

describe('the header on a phone', () => {
  it('fits one row at 390 px on a touch screen, with no keyboard hint', async () => {
    const device = await rig.browser.browser.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    const page = await openBurrow(rig, device);
    expect(await page.evaluate('matchMedia("(hover: hover) and (pointer: fine)").matches')).toBe(false);
    const { header, controls } = headerControls(page);
    const headerBox = (await header.boundingBox())!;
    const boxes = await Promise.all(controls.map(async (control) => (await control.boundingBox())!));
    // Every control is on the one row, side by side, inside the window.
    for (const box of boxes) {
      expect(box.y).toBeGreaterThanOrEqual(headerBox.y);
      expect(box.y + box.height).toBeLessThanOrEqual(headerBox.y + headerBox.height);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      // Big enough to touch.
      expect(box.height).toBeGreaterThanOrEqual(36);
    }
    for (let index = 1; index < boxes.length; index += 1)
      expect(boxes[index].x).toBeGreaterThanOrEqual(boxes[index - 1].x + boxes[index - 1].width);
    expect(headerBox.height).toBeLessThanOrEqual(60);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    // The search field keeps room to type in, and says nothing about a "/" key a phone lacks.
    expect(boxes[2].width).toBeGreaterThanOrEqual(96);
    expect(await controls[2].getAttribute('placeholder')).toBe('Search');
    // Nor does the empty list mention the "n" key.
    await page.getByText('Nothing saved here yet.').waitFor();
    expect(await page.locator('main kbd').count()).toBe(0);

    const problems: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      problems.push(...(await seriousViolations(page)));
      await page.screenshot({ path: screenshotPath(`header-phone-${colorScheme}`) });
      await page.setViewportSize({ width: 1280, height: 800 });
      problems.push(...(await seriousViolations(page)));
      await page.screenshot({ path: screenshotPath(`header-desktop-${colorScheme}`) });
      await page.setViewportSize({ width: 390, height: 844 });
    }
    expect(problems).toEqual([]);
    await device.close();
  });
});
