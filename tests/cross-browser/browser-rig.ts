/**
 * What the scenarios shared by the Firefox and WebKit suites need of a browser (devices with tabs
 * that run scripts), the rig they run on (a real server behind the fault proxy), and signing a
 * device in. Each browser's suite supplies its own devices: Firefox profiles, WebKit sessions.
 */
import { PASSWORD } from '../engine/engine-rig.ts';
import { ensureAppBuilt, inPage, type ScriptablePage, waitFor, waitForPage } from '../support/browser.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';

/** A tab of a device, driven from the test. */
export interface AppTab extends ScriptablePage {
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  close(): Promise<void>;
}

/** A device: a browser profile or session with storage (IndexedDB, the worker, cookies) of its own. */
export interface AppDevice {
  /** The tab the app opens in first: the window a WebKit session starts with, a new Firefox tab. */
  firstTab(): Promise<AppTab>;
  newTab(): Promise<AppTab>;
  close(): Promise<void>;
}

export interface BrowserRig<Device extends AppDevice = AppDevice> {
  server: ServerProcess;
  proxy: FaultProxy;
  /** The origin pages open: the proxy's. */
  origin: string;
  /** A new device of the browser under test. */
  newDevice(): Promise<Device>;
  close(): Promise<void>;
}

/** A signed-in device: the device, its app tab, the account and its workspace. */
export interface SignedInDevice<Device extends AppDevice = AppDevice> {
  device: Device;
  tab: AppTab;
  email: string;
  workspaceId: string;
}

/** Builds the app, starts a server and its proxy; `newDevice` launches the browser's devices. */
export async function startBrowserRig<Device extends AppDevice>(
  newDevice: () => Promise<Device>,
  closeBrowser: () => Promise<void> = async () => {},
): Promise<BrowserRig<Device>> {
  ensureAppBuilt();
  const server = await startServer();
  const proxy = await startFaultProxy(server.url);
  return {
    server,
    proxy,
    origin: proxy.url,
    newDevice,
    async close() {
      await closeBrowser();
      await proxy.close();
      await server.stop();
    },
  };
}

/** Loads the app at `path` in `tab` and waits until the worker controls it and `window.burrow` is ready. */
export async function openAppIn<Tab extends AppTab>(tab: Tab, origin: string, path = '/'): Promise<Tab> {
  await tab.goto(new URL(path, origin).href);
  await waitForPage(tab, 'navigator.serviceWorker.controller !== null && "burrow" in window', {
    message: 'the service worker to control the page and window.burrow',
  });
  await inPage(tab, (burrow) => burrow.ready.then(() => null));
  return tab;
}

/** The app open on `device` (a new one of the rig's when not given), signed up as `signUp` or signed in as `signIn`. */
export async function openDevice<Device extends AppDevice>(
  rig: BrowserRig<Device>,
  account: { signUp: string } | { signIn: string },
  device?: Device,
): Promise<SignedInDevice<Device>> {
  device ??= await rig.newDevice();
  const tab = await openAppIn(await device.firstTab(), rig.origin);
  const email = 'signUp' in account ? account.signUp : account.signIn;
  const credentials = { email, password: PASSWORD };
  if ('signUp' in account) {
    await inPage(tab, (burrow, arg) => burrow.signUp(arg.email, arg.password).then(() => null), credentials);
  } else {
    await inPage(tab, (burrow, arg) => burrow.signIn(arg.email, arg.password).then(() => null), credentials);
  }
  const workspaceId = await waitFor(() => inPage(tab, async (burrow) => (await burrow.workspaces())[0]?.id ?? null), {
    message: `the default workspace of ${email} on the device`,
  });
  return { device, tab, email, workspaceId };
}

/** What a browser's suite hands the shared scenarios. */
export interface BrowserUnderTest<Device extends AppDevice = AppDevice> {
  /** As in the tests' names: "Firefox", "WebKit". */
  name: string;
  /** Starts the account emails of its tests: "ff", "wk". */
  prefix: string;
  startRig(): Promise<BrowserRig<Device>>;
}
