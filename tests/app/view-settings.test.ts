import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage, waitFor } from '../support/browser.ts';
import { type AppRig, openBurrow, pullNow, signIn, startRig, uniqueEmail, waitSynced } from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

/** The view settings stored on a device: id, view and layout of each live record. */
function viewSettings(page: Page) {
  return inPage(page, async (burrow) =>
    (await burrow.list('viewSettings')).map((record) => ({
      id: record.id,
      viewKey: record.fields.viewKey,
      layout: record.fields.layout,
    })),
  );
}

describe('view settings', () => {
  it('two devices that each first set a view offline write one record, and converge', async () => {
    const email = uniqueEmail('views');
    const oneContext = await rig.browser.newDevice();
    const twoContext = await rig.browser.newDevice();
    const one = await openBurrow(rig, oneContext);
    await signIn(one, email, 'Create account');
    await waitSynced(one);
    const two = await openBurrow(rig, twoContext);
    await signIn(two, email);
    await waitSynced(two);

    await oneContext.setOffline(true);
    await twoContext.setOffline(true);
    await one.locator('label.segment', { hasText: 'List' }).click();
    await two.locator('label.segment', { hasText: 'Compact' }).click();
    await waitFor(async () => (await viewSettings(one)).length === 1 && (await viewSettings(two)).length === 1, {
      message: 'each device to store its settings',
    });
    await oneContext.setOffline(false);
    await waitSynced(one);
    await twoContext.setOffline(false);
    await waitSynced(two);
    await pullNow(one);
    await waitSynced(one);

    const [onOne, onTwo] = [await viewSettings(one), await viewSettings(two)];
    // One record on each, the same, with the later write's layout.
    expect(onOne).toHaveLength(1);
    expect(onTwo).toEqual(onOne);
    expect(onOne[0]).toMatchObject({ viewKey: 'cards', layout: 'compact' });
    await oneContext.close();
    await twoContext.close();
  });
});
