/** Headless Chromium for browser tests: launch, devices, the app with its worker, CDP worker control, waits. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildIsStale } from '../../server/build-check.ts';
import type { BurrowClient } from '../../src/api/client.ts';

/** The repository root (where dist/ and node_modules/ are). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What the build reads: dist/ is stale when any of these is newer than dist/index.html. */

/** The Background Sync tag the worker listens on (workbox-background-sync `Queue` name `burrow-outbox`). */
export const SYNC_TAG = 'workbox-background-sync:burrow-outbox';

/** Fresh devices, each with its own storage, service worker and cookies. */
export interface Devices {
  newDevice(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** A launched Chromium with its own throwaway config directory; its devices are incognito contexts. */
export interface TestBrowser extends Devices {
  browser: Browser;
}

/**
 * Builds the app with `vite build` when dist/ is stale, as production: under vitest NODE_ENV is
 * `test`, and Vite would otherwise build (and the tests measure) a development bundle.
 */
export function ensureAppBuilt(): void {
  if (!buildIsStale(REPO_ROOT)) return;
  const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'vite'), ['build'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

/** Launches Debian's Chromium in new headless mode (Background Sync works there, not in the shell). */
export async function launchBrowser(): Promise<TestBrowser> {
  const configDir = mkdtempSync(join(tmpdir(), 'burrow-chromium-'));
  const browser = await chromium.launch(launchOptions(configDir));
  return {
    browser,
    newDevice: () => browser.newContext(),
    async close() {
      await browser.close();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/**
 * Devices with a profile of their own on disk, as an installed app has, each in a Chromium of its
 * own; the tests' devices are incognito contexts, cheap and isolated. Chromium keeps an incognito
 * context's IndexedDB in an in-memory LevelDB, whose compactions fall into a slow state in most
 * launches: the same 10,000 record writes in plain IndexedDB took 5.6–9.6 s in 18 launches of 27
 * and 1.8–2.5 s in the others, and 1.5–1.9 s on disk in each of 4 (2026-11-22). Benchmarks time
 * devices on disk, as people run the app.
 */
export function launchDiskDevices(): Devices {
  const configDir = mkdtempSync(join(tmpdir(), 'burrow-chromium-'));
  const profiles: BrowserContext[] = [];
  return {
    async newDevice() {
      const profileDir = mkdtempSync(join(configDir, 'profile-'));
      const profile = await chromium.launchPersistentContext(profileDir, launchOptions(configDir));
      profiles.push(profile);
      return profile;
    },
    async close() {
      for (const profile of profiles) await profile.close();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

function launchOptions(configDir: string) {
  return {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, XDG_CONFIG_HOME: configDir },
  };
}

/**
 * Opens the app at `origin` in a new page of `context` and waits until the service worker
 * controls the page and `window.burrow.ready` has resolved.
 */
export async function openApp(context: BrowserContext, origin: string, path = '/'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(new URL(path, origin).href);
  await waitForPage(page, 'navigator.serviceWorker.controller !== null && "burrow" in window', {
    message: 'the service worker to control the page and window.burrow',
  });
  await page.evaluate('window.burrow.ready.then(() => true)');
  return page;
}

/**
 * What the page helpers below need: Playwright's pages (Chromium) and puppeteer's (Firefox over
 * WebDriver BiDi) both evaluate an expression, outside the page's CSP.
 */
export interface ScriptablePage {
  evaluate(expression: string): Promise<unknown>;
}

/**
 * Polls a JavaScript expression in the page until it is truthy and returns its value. The
 * app's CSP forbids eval, which Playwright's `waitForFunction` with a string needs; a CDP
 * evaluate (this) is not subject to it.
 */
export function waitForPage<T = unknown>(
  page: ScriptablePage,
  expression: string,
  options: WaitOptions,
): Promise<NonNullable<T>> {
  return waitFor(() => page.evaluate(expression) as Promise<T>, options);
}

/**
 * Runs `fn` in the page with its `window.burrow`. `fn` is sent as source text, so it must
 * not use anything from the test's scope: pass what it needs as `arg` (JSON values only).
 */
export async function inPage<Result>(
  page: ScriptablePage,
  fn: (burrow: BurrowClient) => Result | Promise<Result>,
): Promise<Result>;
export async function inPage<Result, Arg>(
  page: ScriptablePage,
  fn: (burrow: BurrowClient, arg: Arg) => Result | Promise<Result>,
  arg: Arg,
): Promise<Result>;
export async function inPage<Result, Arg>(
  page: ScriptablePage,
  fn: (burrow: BurrowClient, arg: Arg) => Result | Promise<Result>,
  arg?: Arg,
): Promise<Result> {
  return (await page.evaluate(`(${fn.toString()})(window.burrow, ${JSON.stringify(arg ?? null)})`)) as Result;
}

/** Stops every service worker of the browser (Playwright otherwise keeps them alive forever). */
export async function stopServiceWorkers(page: Page): Promise<void> {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
  } finally {
    await session.detach();
  }
}

/**
 * Denies Background Sync to `origin` in `context`: registrations reject, so no `sync` event can
 * wake its worker. For tests of the other wakes, which a sync event firing late would race.
 * (Chromium's permission overrides deny what they do not grant; `Browser.setPermission` with
 * `denied` left Background Sync granted.)
 */
export async function denyBackgroundSync(context: BrowserContext, origin: string): Promise<void> {
  await context.grantPermissions([], { origin: new URL(origin).origin });
}

interface WorkerRegistration {
  registrationId: string;
  scopeURL: string;
  isDeleted: boolean;
}

/**
 * Fires a Background Sync `sync` event at `origin`'s worker with no app page open: through an
 * about:blank page's CDP session (the browser-level session lacks the ServiceWorker domain).
 * Returns once dispatched; the caller waits for the effect.
 */
export function dispatchSync(context: BrowserContext, origin: string, tag = SYNC_TAG): Promise<void> {
  return dispatchToWorker(context, origin, 'ServiceWorker.dispatchSyncEvent', { tag, lastChance: false });
}

/** Fires a Periodic Background Sync `periodicsync` event at `origin`'s worker, as `dispatchSync` does. */
export function dispatchPeriodicSync(context: BrowserContext, origin: string, tag: string): Promise<void> {
  return dispatchToWorker(context, origin, 'ServiceWorker.dispatchPeriodicSyncEvent', { tag });
}

async function dispatchToWorker(
  context: BrowserContext,
  origin: string,
  method: 'ServiceWorker.dispatchSyncEvent' | 'ServiceWorker.dispatchPeriodicSyncEvent',
  params: { tag: string; lastChance?: boolean },
): Promise<void> {
  const blank = await context.newPage();
  const session = await context.newCDPSession(blank);
  try {
    const registrations = new Map<string, WorkerRegistration>();
    session.on('ServiceWorker.workerRegistrationUpdated', (event: { registrations: WorkerRegistration[] }) => {
      for (const registration of event.registrations) registrations.set(registration.registrationId, registration);
    });
    await session.send('ServiceWorker.enable');
    const scope = `${new URL(origin).origin}/`;
    const registration = await waitFor(
      () => [...registrations.values()].find((candidate) => candidate.scopeURL === scope && !candidate.isDeleted),
      { message: `a service worker registration for ${scope}` },
    );
    await session.send(method, {
      origin: new URL(origin).origin,
      registrationId: registration.registrationId,
      ...params,
    });
  } finally {
    await session.detach();
    await blank.close();
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What was awaited, for the error when the deadline passes (a function: read at the deadline). */
  message: string | (() => string);
}

/**
 * Polls `condition` until it returns a truthy value, and returns that value. Throws (with
 * the last value seen) when `timeoutMs` passes first. A wait, never an assertion on time.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 50, message }: WaitOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await condition();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) {
      const what = typeof message === 'function' ? message() : message;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
