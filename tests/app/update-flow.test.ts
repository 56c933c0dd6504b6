/** The update flow: a new worker waits until the person agrees, and the outbox crosses the switch exactly once. */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import {
  ensureAppBuilt,
  inPage,
  launchBrowser,
  openApp,
  REPO_ROOT,
  type TestBrowser,
  waitForPage,
} from '../support/browser.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { PASSWORD, uniqueEmail } from './app-rig.ts';

const CARDS = 5;

/** Whether a new worker is waiting, and whether a worker controls the page. */
function registrationState(page: Page): Promise<{ waiting: boolean; controlled: boolean }> {
  return page.evaluate(`navigator.serviceWorker.getRegistration().then((registration) => ({
    waiting: registration !== undefined && registration.waiting !== null,
    controlled: navigator.serviceWorker.controller !== null,
  }))`);
}

describe('a new version of the app', () => {
  let dist: string;
  let server: ServerProcess;
  let browser: TestBrowser;

  beforeAll(async () => {
    ensureAppBuilt();
    // The server serves a copy of the build, so the test can ship a "new version" of the worker.
    dist = mkdtempSync(join(tmpdir(), 'burrow-dist-'));
    cpSync(join(REPO_ROOT, 'dist'), dist, { recursive: true });
    server = await startServer({ env: { BURROW_DIST_DIR: dist } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('waits for Reload, then takes over and delivers the pending outbox exactly once', async () => {
    const device = await browser.newDevice();
    const page = await openApp(device, server.url);
    const email = uniqueEmail('update');
    await inPage(page, (burrow, arg) => burrow.signUp(arg.email, arg.password), { email, password: PASSWORD });
    await device.setOffline(true);
    const ids = await inPage(
      page,
      async (burrow, count) => {
        const created: string[] = [];
        for (let i = 0; i < count; i++) {
          const fields = { kind: 'note', title: `before update ${i}`, content: '', tags: [], collectionIds: [] };
          created.push((await burrow.create('cards', { ...fields, pinned: false })).id);
        }
        return created;
      },
      CARDS,
    );
    expect(await inPage(page, (burrow) => burrow.pendingMutations().then((entries) => entries.length))).toBe(CARDS);

    appendFileSync(join(dist, 'sw.js'), '\n// a new version\n');
    await device.setOffline(false);
    await page.evaluate('navigator.serviceWorker.getRegistration().then((registration) => registration.update())');
    await page.getByRole('status').filter({ hasText: 'A new version is available' }).waitFor();
    // The new worker waits: it has not taken over on its own.
    expect(await registrationState(page)).toEqual({ waiting: true, controlled: true });

    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Reload' }).click()]);
    await waitForPage(page, 'navigator.serviceWorker.controller !== null && "burrow" in window', {
      message: 'the new worker to control the reloaded page',
    });
    expect(await registrationState(page)).toEqual({ waiting: false, controlled: true });

    await page.evaluate('window.burrow.ready.then(() => window.burrow.flush())');
    await waitForPage(page, 'window.burrow.pendingMutations().then((entries) => entries.length === 0)', {
      message: 'the outbox to drain after the update',
    });
    const api = new ApiClient(server.url);
    await api.signIn(email, PASSWORD);
    const cards = (await api.pullAll(0)).changes.filter((change) => change.table === 'cards');
    expect(cards.map((card) => card.id).sort()).toEqual([...ids].sort());
    expect(cards.every((card) => card.version === 1)).toBe(true);
    await device.close();
  });
});
