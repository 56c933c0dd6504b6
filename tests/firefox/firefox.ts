/**
 * Debian's Firefox ESR for browser tests, driven by puppeteer-core over WebDriver BiDi: a device
 * is a profile on disk with its own Firefox, which can be restarted on the same profile, taken
 * offline for real (the worker's fetches too), and asked whether its service worker runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import type { AppDevice } from '../cross-browser/browser-rig.ts';
import { waitFor } from '../support/browser.ts';
import { launchMarionetteFirefox } from './marionette.ts';

const FIREFOX_PATH = '/usr/bin/firefox-esr';

const PREFERENCES = {
  // Offline must cut loopback too, or the worker keeps reaching the test server.
  'network.disable-localhost-when-offline': true,
};

export interface FirefoxDeviceOptions {
  /**
   * How long Firefox lets an idle service worker live (its pref `dom.serviceWorkers.idle_timeout`,
   * 30 s by default, kept when absent). Idle means no event and no `waitUntil` pending: a worker
   * waiting only on its own retry timer is idle, and the timer dies with it.
   */
  workerIdleTimeoutMs?: number;
  /** More preferences of the profile (as user.js sets them). */
  preferences?: Record<string, unknown>;
}

/** A service worker's state as Firefox's service-worker manager sees it. */
export interface WorkerState {
  /** Whether the worker runs now (Firefox clears its lifetime deadline when it stops it). */
  running: boolean;
  /** How many times Firefox has started this worker version. */
  launchCount: number;
}

/** One device: a Firefox on its own profile directory, which survives restarts. */
export interface FirefoxDevice extends AppDevice {
  readonly browser: Browser;
  readonly profileDir: string;
  /** A new tab (both: the app opens in a tab of its own, beside Firefox's first blank one). */
  firstTab(): Promise<Page>;
  newTab(): Promise<Page>;
  /** Every open tab (content pages). */
  pages(): Promise<Page[]>;
  /** Takes the whole browser offline (pages and the worker) or back online; pages get `offline`/`online`. */
  setOffline(offline: boolean): Promise<void>;
  /** The state of the active worker registered for `origin`, or null when none is. */
  workerState(origin: string): Promise<WorkerState | null>;
  /** Waits until Firefox has stopped `origin`'s worker on its own (idle timeout) and returns its state. */
  waitForWorkerStopped(origin: string): Promise<WorkerState>;
  /** A preference's value as Firefox holds it now (undefined when it has none). */
  preference(name: string): Promise<unknown>;
  /** Quits Firefox and waits for its process to end (the profile stays). */
  quit(): Promise<void>;
  /** Quits Firefox and starts it again on the same profile. */
  restart(): Promise<void>;
  /** Quits Firefox and removes the profile. */
  close(): Promise<void>;
}

/** Starts a Firefox on a new profile directory (under a temp dir removed by `close()`). */
export async function launchFirefoxDevice(options: FirefoxDeviceOptions = {}): Promise<FirefoxDevice> {
  const profileDir = mkdtempSync(join(tmpdir(), 'burrow-firefox-'));
  const preferences: Record<string, unknown> = { ...PREFERENCES, ...options.preferences };
  if (options.workerIdleTimeoutMs !== undefined) {
    preferences['dom.serviceWorkers.idle_timeout'] = options.workerIdleTimeoutMs;
  }
  let firefox = await launchMarionetteFirefox(FIREFOX_PATH, profileDir, preferences);

  // Chrome-scope script: what web content cannot do (network state, the service-worker manager).
  function inChrome(expression: string): Promise<unknown> {
    return firefox.inChrome(`return ${expression};`);
  }

  const device: FirefoxDevice = {
    get browser() {
      return firefox.browser;
    },
    profileDir,
    firstTab: () => firefox.browser.newPage(),
    newTab: () => firefox.browser.newPage(),
    async pages() {
      return (await firefox.browser.pages()).filter((page) => page.url() !== 'about:blank');
    },
    async setOffline(offline) {
      // Open keep-alive connections would go on working: prune them when going offline.
      await inChrome(`(() => {
        Services.io.offline = ${offline};
        if (${offline}) Services.obs.notifyObservers(null, 'net:prune-all-connections');
        return Services.io.offline;
      })()`);
    },
    async workerState(origin) {
      const json = await inChrome(`(() => {
        const manager = Cc['@mozilla.org/serviceworkers/manager;1'].getService(Ci.nsIServiceWorkerManager);
        const registrations = manager.getAllRegistrations();
        for (let i = 0; i < registrations.length; i++) {
          const registration = registrations.queryElementAt(i, Ci.nsIServiceWorkerRegistrationInfo);
          if (registration.scope !== ${JSON.stringify(`${new URL(origin).origin}/`)} || !registration.activeWorker) continue;
          const worker = registration.activeWorker;
          return JSON.stringify({ running: worker.lifetimeDeadline !== 0, launchCount: worker.launchCount });
        }
        return 'null';
      })()`);
      return JSON.parse(String(json)) as WorkerState | null;
    },
    async preference(name) {
      const json = await inChrome(`(() => {
        const name = ${JSON.stringify(name)};
        switch (Services.prefs.getPrefType(name)) {
          case Services.prefs.PREF_BOOL: return JSON.stringify(Services.prefs.getBoolPref(name));
          case Services.prefs.PREF_INT: return JSON.stringify(Services.prefs.getIntPref(name));
          case Services.prefs.PREF_STRING: return JSON.stringify(Services.prefs.getStringPref(name));
          default: return 'null';
        }
      })()`);
      const value = JSON.parse(String(json)) as unknown;
      return value === null ? undefined : value;
    },
    waitForWorkerStopped(origin) {
      return waitFor(
        async () => {
          const state = await device.workerState(origin);
          return state && !state.running ? state : null;
        },
        { timeoutMs: 60_000, intervalMs: 250, message: `Firefox to stop the idle worker of ${origin}` },
      );
    },
    quit: () => firefox.quit(),
    async restart() {
      await firefox.quit();
      firefox = await launchMarionetteFirefox(FIREFOX_PATH, profileDir, preferences);
    },
    async close() {
      await firefox.quit();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
  return device;
}
