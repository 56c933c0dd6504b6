/**
 * Debian's WebKitGTK (Safari's engine) for browser tests: its WebDriver, `WebKitWebDriver`, started
 * by selenium-webdriver from its path (Selenium's driver manager never runs: the session is made on
 * a server we give it), on an Xvfb display of our own. A device is a WebDriver session, with a
 * driver of its own (one session per driver): a MiniBrowser whose storage (IndexedDB, the worker,
 * cookies) lives as long as the session, and whose tabs are its windows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { Builder, type WebDriver } from 'selenium-webdriver';
import type { AppDevice, AppTab } from '../cross-browser/browser-rig.ts';

// A CommonJS package without an exports map: its subpath is required, typed by @types.
const { DriverService } = createRequire(import.meta.url)(
  'selenium-webdriver/remote',
) as typeof import('selenium-webdriver/remote');

const WEBDRIVER_PATH = '/usr/bin/WebKitWebDriver';
const MINIBROWSER_PATH = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** A tab: one window of a session. Scripts run in it one at a time, as WebDriver runs them. */
export class WebKitTab implements AppTab {
  constructor(
    private readonly driver: WebDriver,
    readonly handle: string,
  ) {}

  /** Evaluates an expression (a promise is awaited) in this tab and returns its JSON value. */
  async evaluate(expression: string): Promise<unknown> {
    await this.driver.switchTo().window(this.handle);
    const outcome = (await this.driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       Promise.resolve().then(() => (${expression})).then(
         (value) => done({ value: value === undefined ? null : value }),
         (error) => done({ error: String(error && error.stack || error) }),
       );`,
    )) as { value?: unknown; error?: string };
    if (outcome.error !== undefined) throw new Error(`in the page: ${outcome.error}`);
    return outcome.value;
  }

  async goto(url: string): Promise<void> {
    await this.driver.switchTo().window(this.handle);
    await this.driver.get(url);
  }

  async reload(): Promise<void> {
    await this.driver.switchTo().window(this.handle);
    await this.driver.navigate().refresh();
  }

  async close(): Promise<void> {
    await this.driver.switchTo().window(this.handle);
    await this.driver.close();
  }
}

/** One device: a WebDriver session with its own MiniBrowser and storage. */
export interface WebKitDevice extends AppDevice {
  readonly driver: WebDriver;
  /** The window the session opened with. */
  firstTab(): Promise<WebKitTab>;
  /** A new window (a tab of the same browser: same storage, same worker). */
  newTab(): Promise<WebKitTab>;
  close(): Promise<void>;
}

/** An Xvfb display on which each device gets a WebKitWebDriver of its own (one session per driver). */
export interface WebKitDriverServer {
  newDevice(): Promise<WebKitDevice>;
  close(): Promise<void>;
}

/** Starts Xvfb (MiniBrowser needs a display; WebKitGTK has no headless mode). */
export async function startWebKitDriver(): Promise<WebKitDriverServer> {
  const xvfb = await startXvfb();
  const devices = new Set<WebKitDevice>();
  return {
    async newDevice() {
      const port = await freePort();
      const service = new DriverService(WEBDRIVER_PATH, {
        hostname: '127.0.0.1',
        loopback: true,
        port,
        args: [`--port=${port}`],
        env: { ...process.env, DISPLAY: xvfb.display },
      });
      const url = await service.start(30_000);
      let driver: WebDriver;
      try {
        driver = await new Builder()
          .usingServer(url)
          .disableEnvironmentOverrides()
          .withCapabilities({
            browserName: 'MiniBrowser',
            'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
          })
          .build();
      } catch (error) {
        await service.kill();
        throw error;
      }
      const device: WebKitDevice = {
        driver,
        async firstTab() {
          const [handle] = await driver.getAllWindowHandles();
          return new WebKitTab(driver, handle);
        },
        async newTab() {
          await driver.switchTo().newWindow('tab');
          return new WebKitTab(driver, await driver.getWindowHandle());
        },
        async close() {
          devices.delete(device);
          try {
            await driver.quit();
          } finally {
            await service.kill();
          }
        },
      };
      devices.add(device);
      return device;
    },
    async close() {
      for (const device of [...devices]) await device.close().catch(() => undefined);
      xvfb.process.kill();
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** An Xvfb server on a free display number, which it reports through a pipe. */
function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('Xvfb did not report its display in 10 s'));
    }, 10_000);
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('\n')) return;
      clearTimeout(timer);
      resolve({ display: `:${output.trim()}`, process: child });
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
