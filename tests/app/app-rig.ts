/** The app under test: a real server, headless Chromium, and what a person does in the UI. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { BurrowClient } from '../../src/api/client.ts';
import { ensureAppBuilt, launchBrowser, openApp, REPO_ROOT, type TestBrowser, waitFor } from '../support/browser.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';

export interface AppRig {
  server: ServerProcess;
  browser: TestBrowser;
  close(): Promise<void>;
}

/** Builds the app if needed, starts a server on a temp database and a browser. */
export async function startRig(): Promise<AppRig> {
  ensureAppBuilt();
  const server = await startServer();
  const browser = await launchBrowser();
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

/** Opens the app on a device and waits until the first view has rendered. */
export async function openBurrow(rig: AppRig, device: BrowserContext, path = '/'): Promise<Page> {
  const page = await openApp(device, rig.server.url, path);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  return page;
}

/** A unique email per call, so tests never share an account. */
export function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

export const PASSWORD = 'correct horse battery';

/** Signs up (or in) through the account dialog and waits for the confirmation. */
export async function signIn(page: Page, email: string, mode: 'Create account' | 'Sign in' = 'Sign in'): Promise<void> {
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign in to sync' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: mode, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByText(`Signed in as ${email}`).first().waitFor();
}

/** Adds a link card through the editor. */
export async function addLink(page: Page, url: string, title: string): Promise<void> {
  await page.getByRole('button', { name: 'New link' }).click();
  const dialog = page.getByRole('dialog', { name: 'New link' });
  await dialog.getByLabel('URL').fill(url);
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByLabel('Title').press('Enter');
  await dialog.waitFor({ state: 'detached' });
  await card(page, title).waitFor();
}

/** Adds a note card through the editor (it saves as the person types; Done closes it). */
export async function addNote(page: Page, title: string, text: string): Promise<void> {
  await page.getByRole('button', { name: 'New note' }).click();
  const dialog = page.getByRole('dialog', { name: 'New note' });
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByLabel('Text (markdown)').fill(text);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  await card(page, title).waitFor();
}

/** Opens a card's editor, sets its title, closes it with Done. */
export async function renameCard(page: Page, from: string, to: string): Promise<void> {
  await card(page, from).getByRole('button', { name: from, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /^Edit / });
  await dialog.getByLabel('Title').fill(to);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  await card(page, to).waitFor();
}

/** The card titled `title` in the current view. */
export function card(page: Page, title: string): Locator {
  return page.getByRole('article', { name: title, exact: true });
}

/** The text of the status pill. */
export function statusPill(page: Page): Locator {
  return page.getByRole('button', { name: /^Sync status:/ });
}

/**
 * Waits until this device has nothing left to send and the pill says Synced. The outbox is
 * read from IndexedDB, not only from the status: a change committed a moment ago is in the
 * outbox before the engine has reported it, and the status would still say "Synced, 0 pending".
 * Call it after the UI has shown the change (the commit has then resolved).
 */
export async function waitSynced(page: Page): Promise<void> {
  await waitFor(
    () =>
      page.evaluate(async () => {
        const burrow = (globalThis as unknown as BurrowWindow).burrow;
        const outbox = await burrow.pendingMutations();
        const status = burrow.status();
        return outbox.length === 0 && status.state === 'synced' && status.pending === 0;
      }),
    { intervalMs: 100, message: 'the device to be synced with nothing pending' },
  );
  await statusPill(page).filter({ hasText: 'Synced' }).waitFor();
}

/** Asks the device to pull now (what a poke or a reconnect would do). */
export async function pullNow(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as BurrowWindow).burrow.pull());
}

/**
 * The page's global with `window.burrow`, for casts inside page functions (those are sent as
 * source text, so they can use types but no value from this module).
 */
export type BurrowWindow = { burrow: BurrowClient };

/** Goes to a navigation entry. */
export async function goTo(
  page: Page,
  name: 'All cards' | 'Todos' | 'Agenda' | 'Trash' | 'Import and export',
): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await page
    .getByRole('heading', { level: 1, name: name === 'Import and export' ? 'Import and export' : name })
    .waitFor();
}

/** Where screenshots go (git-ignored). */
export function screenshotPath(name: string): string {
  const dir = join(REPO_ROOT, 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
