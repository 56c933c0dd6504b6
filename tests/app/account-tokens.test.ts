import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppRig, openBurrow, screenshotPath, signIn, startRig, uniqueEmail } from './app-rig.ts';
import { seriousViolations } from './axe-check.ts';

let rig: AppRig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

describe('API tokens in the Account dialog', () => {
  it('lists tokens, creates one shown once with a copy button, and revokes it', async () => {
    const device = await rig.browser.newDevice();
    await device.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: rig.server.url });
    const page = await openBurrow(rig, device);
    await signIn(page, uniqueEmail('tokens'), 'Create account');
    await page.getByRole('button', { name: 'Account', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Account' });
    await dialog.getByText('You have no API tokens.').waitFor();

    // A name is needed, and the message says so.
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Give the token a name' }).waitFor();

    await dialog.getByLabel('Token name').fill('Backup script');
    await dialog.getByLabel('Expires').selectOption({ label: 'In 30 days' });
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const secret = dialog.getByLabel('New token');
    await secret.waitFor();
    const token = await secret.inputValue();
    expect(token).toMatch(/^burrow_[\w-]{43}$/);
    await dialog.getByText('it is shown only this once').waitFor();
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);

    const list = dialog.getByRole('list', { name: 'Your API tokens' });
    await list.getByText('Backup script').waitFor();
    expect(await list.textContent()).toMatch(/expires /);
    // Looked at as a person would: both widths, both colour schemes, and axe-clean.
    const problems: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const viewport of [
        { name: 'phone', width: 390, height: 844 },
        { name: 'desktop', width: 1280, height: 800 },
      ]) {
        await page.setViewportSize(viewport);
        problems.push(...(await seriousViolations(page)));
        await page.screenshot({ path: screenshotPath(`account-tokens-${viewport.name}-${colorScheme}`) });
      }
    }
    expect(problems).toEqual([]);

    const bearer = { headers: { authorization: `Bearer ${token}` } };
    expect((await page.request.get(new URL('/api/auth/me', rig.server.url).href, bearer)).status()).toBe(200);

    await dialog.getByRole('button', { name: 'Revoke Backup script' }).click();
    await dialog.getByText('You have no API tokens.').waitFor();
    expect(await secret.count()).toBe(0);
    expect((await page.request.get(new URL('/api/auth/me', rig.server.url).href, bearer)).status()).toBe(401);

    // Unreachable server: a readable message, not a silent failure.
    await device.setOffline(true);
    await dialog.getByLabel('Token name').fill('Offline try');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Cannot reach the server' }).waitFor();
    await device.close();
  });

  it('shows at sign-up why a password is refused', async () => {
    const device = await rig.browser.newDevice();
    const page = await openBurrow(rig, device);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in to sync' });
    await dialog.getByLabel('Email').fill(uniqueEmail('weak'));
    await dialog.getByLabel('Password').fill('12345678');
    await dialog.getByRole('button', { name: 'Create account', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'one of the most common passwords' }).waitFor();
    await device.close();
  });
});
