/** The rig of the Firefox tests: a real server behind the fault proxy, and Firefox devices on profiles of their own. */
import type { Page } from 'puppeteer-core';
import { PASSWORD } from '../engine/engine-rig.ts';
import { ensureAppBuilt, inPage, waitFor, waitForPage } from '../support/browser.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { type FirefoxDevice, type FirefoxDeviceOptions, launchFirefoxDevice } from './firefox.ts';

/** A server and the proxy every page goes through; devices are launched by each test, one Firefox at a time. */
export interface FirefoxRig {
  server: ServerProcess;
  proxy: FaultProxy;
  /** The origin pages open: the proxy's. */
  origin: string;
  close(): Promise<void>;
}

/** A signed-in device: its Firefox, an app page, the account and its workspace. */
export interface SignedInDevice {
  firefox: FirefoxDevice;
  page: Page;
  email: string;
  workspaceId: string;
}

export async function startFirefoxRig(): Promise<FirefoxRig> {
  ensureAppBuilt();
  const server = await startServer();
  const proxy = await startFaultProxy(server.url);
  return {
    server,
    proxy,
    origin: proxy.url,
    async close() {
      await proxy.close();
      await server.stop();
    },
  };
}

/** Opens the app at `path` in a new tab and waits until the worker controls it and `window.burrow` is ready. */
export async function openApp(firefox: FirefoxDevice, origin: string, path = '/'): Promise<Page> {
  const page = await firefox.newPage();
  await page.goto(new URL(path, origin).href);
  await waitForPage(page, 'navigator.serviceWorker.controller !== null && "burrow" in window', {
    message: 'the service worker to control the page and window.burrow',
  });
  await inPage(page, (burrow) => burrow.ready.then(() => null));
  return page;
}

/** A new Firefox on a new profile with the app open, signed up as `signUp` or signed in as `signIn`. */
export async function openDevice(
  rig: FirefoxRig,
  account: { signUp: string } | { signIn: string },
  options: FirefoxDeviceOptions = {},
): Promise<SignedInDevice> {
  const firefox = await launchFirefoxDevice(options);
  const page = await openApp(firefox, rig.origin);
  const email = 'signUp' in account ? account.signUp : account.signIn;
  const credentials = { email, password: PASSWORD };
  if ('signUp' in account) {
    await inPage(page, (burrow, arg) => burrow.signUp(arg.email, arg.password).then(() => null), credentials);
  } else {
    await inPage(page, (burrow, arg) => burrow.signIn(arg.email, arg.password).then(() => null), credentials);
  }
  const workspaceId = await waitFor(() => inPage(page, async (burrow) => (await burrow.workspaces())[0]?.id ?? null), {
    message: `the default workspace of ${email} on the device`,
  });
  return { firefox, page, email, workspaceId };
}
