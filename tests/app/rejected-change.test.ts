import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppRig,
  openBurrow,
  pullNow,
  screenshotPath,
  signIn,
  startRig,
  statusPill,
  uniqueEmail,
  waitSynced,
} from './app-rig.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

describe('a change the server refuses', () => {
  it('shows the reason; a retry after an edit is accepted; a discard reverts', async () => {
    const email = uniqueEmail('rejected');
    const oneContext = await rig.browser.newDevice();
    const twoContext = await rig.browser.newDevice();
    const one = await openBurrow(rig, oneContext);
    await signIn(one, email, 'Create account');
    await one.getByRole('button', { name: 'New collection' }).click();
    let dialog = one.getByRole('dialog', { name: 'New collection' });
    await dialog.getByLabel('Name').fill('Recipes');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await one.getByRole('heading', { level: 1, name: 'Recipes' }).waitFor();
    await waitSynced(one);

    const two = await openBurrow(rig, twoContext);
    await signIn(two, email);
    await two.getByRole('link', { name: 'Recipes' }).waitFor({ timeout: 30_000 });
    await waitSynced(two);
    await twoContext.setOffline(true);
    for (const name of ['Soups', 'Stews']) {
      await two.getByRole('link', { name: 'Recipes' }).click();
      await two.getByRole('button', { name: 'New subcollection' }).click();
      dialog = two.getByRole('dialog', { name: 'New collection' });
      await dialog.getByLabel('Name').fill(name);
      await dialog.getByRole('button', { name: 'Save' }).click();
      await two.getByRole('heading', { level: 1, name }).waitFor();
    }

    await one.getByRole('button', { name: 'Edit collection' }).click();
    await one
      .getByRole('dialog', { name: 'Edit collection' })
      .getByRole('button', { name: 'Delete collection' })
      .click();
    await one.getByRole('heading', { level: 1, name: 'All cards' }).waitFor();
    await waitSynced(one);

    await twoContext.setOffline(false);
    await expect
      .poll(() => statusPill(two).getAttribute('aria-label'), { timeout: 30_000 })
      .toContain('2 not accepted');
    // A notice says so at once, naming the change and the reason, and that nothing is lost.
    await two
      .getByText(/^Couldn't save “(Soups|Stews)”.*: Parent collection must be .*\. Your copy is kept\.$/)
      .waitFor();
    await statusPill(two).click();
    const panel = two.getByRole('dialog', { name: 'Sync' });
    await panel.getByRole('button', { name: 'Retry all' }).waitFor();
    await panel.getByRole('button', { name: 'Discard all' }).waitFor();
    const soups = panel.getByRole('article', { name: 'Not accepted: New collection “Soups”' });
    expect(await soups.textContent()).toContain('Parent collection must be a live collection of the same workspace');
    await two.screenshot({ path: screenshotPath('sync-panel-rejected-desktop-light') });

    await soups.getByRole('button', { name: 'Edit and retry' }).click();
    await soups.getByLabel('Remove the parent collection').check();
    await soups.getByRole('button', { name: 'Retry with changes' }).click();
    await soups.waitFor({ state: 'detached' });
    await panel
      .getByRole('article', { name: 'Not accepted: New collection “Stews”' })
      .getByRole('button', { name: 'Discard' })
      .click();
    await panel
      .getByRole('article', { name: /^Not accepted/ })
      .first()
      .waitFor({ state: 'detached' });
    await panel.getByRole('button', { name: 'Close' }).click();
    await waitSynced(two);

    const nav = two.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Soups' }).waitFor();
    await nav.getByRole('link', { name: 'Stews' }).waitFor({ state: 'detached' });
    await pullNow(one);
    await one
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Soups' })
      .waitFor({ timeout: 30_000 });
    expect(await one.getByRole('link', { name: 'Stews' }).count()).toBe(0);
    await oneContext.close();
    await twoContext.close();
  });
});
