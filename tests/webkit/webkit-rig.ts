/** The rig of the WebKit tests: a real server behind the fault proxy, WebKitWebDriver, and signed-in devices. */
import { PASSWORD } from '../engine/engine-rig.ts';
import { ensureAppBuilt, inPage, waitFor, waitForPage } from '../support/browser.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { startWebKitDriver, type WebKitDevice, type WebKitDriverServer, type WebKitTab } from './webkit.ts';

export interface WebKitRig {
  server: ServerProcess;
  proxy: FaultProxy;
  webkit: WebKitDriverServer;
  /** The origin pages open: the proxy's. */
  origin: string;
  close(): Promise<void>;
}

/** A signed-in device: its session, the app's first tab, the account and its workspace. */
export interface SignedInDevice {
  device: WebKitDevice;
  tab: WebKitTab;
  email: string;
  workspaceId: string;
}

export async function startWebKitRig(): Promise<WebKitRig> {
  ensureAppBuilt();
  const server = await startServer();
  const proxy = await startFaultProxy(server.url);
  const webkit = await startWebKitDriver();
  return {
    server,
    proxy,
    webkit,
    origin: proxy.url,
    async close() {
      await webkit.close();
      await proxy.close();
      await server.stop();
    },
  };
}

/** Loads the app at `path` in `tab` and waits until the worker controls it and `window.burrow` is ready. */
export async function openAppIn(tab: WebKitTab, origin: string, path = '/'): Promise<WebKitTab> {
  await tab.goto(new URL(path, origin).href);
  await waitForPage(tab, 'navigator.serviceWorker.controller !== null && "burrow" in window', {
    message: 'the service worker to control the page and window.burrow',
  });
  await inPage(tab, (burrow) => burrow.ready.then(() => null));
  return tab;
}

/** A new session with the app open, signed up as `signUp` or signed in as `signIn`. */
export async function openDevice(
  rig: WebKitRig,
  account: { signUp: string } | { signIn: string },
): Promise<SignedInDevice> {
  const device = await rig.webkit.newDevice();
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
