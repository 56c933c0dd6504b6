/** The browser harness on a minimal page + worker: control, CDP worker stop, and a sync event with no page open. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dispatchSync,
  inPage,
  launchBrowser,
  openApp,
  stopServiceWorkers,
  type TestBrowser,
} from '../support/browser.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';

// A worker that claims at once, names its own lifetime, and reports sync events by fetching.
const WORKER = `
const life = crypto.randomUUID();
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => event.ports[0].postMessage(life));
self.addEventListener('sync', (event) => event.waitUntil(fetch('/api/ping?tag=' + encodeURIComponent(event.tag)).catch(() => {})));
`;

const PAGE = `<!doctype html><title>harness</title><script>
navigator.serviceWorker.register('/sw.js');
window.burrow = { ready: navigator.serviceWorker.ready.then(() => undefined) };
window.workerLife = () => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => resolve(event.data);
  navigator.serviceWorker.controller.postMessage('life', [channel.port2]);
});
</script>`;

describe('browser harness', () => {
  let chromium: TestBrowser;
  let proxy: FaultProxy;

  beforeAll(async () => {
    // No server behind it: only the static page and worker are needed; other requests fail.
    proxy = await startFaultProxy('http://127.0.0.1:9');
    proxy.serveStatic('/', { contentType: 'text/html', body: PAGE });
    proxy.serveStatic('/sw.js', { contentType: 'text/javascript', body: WORKER });
    chromium = await launchBrowser();
  });
  afterAll(async () => {
    await chromium?.close();
    await proxy?.close();
  });

  it('opens a page the worker controls, with window.burrow ready', async () => {
    const device = await chromium.newDevice();
    const page = await openApp(device, proxy.url);
    expect(await page.evaluate('navigator.serviceWorker.controller.scriptURL')).toBe(`${proxy.url}/sw.js`);
    expect(await inPage(page, (burrow) => typeof burrow.ready.then)).toBe('function');
    await device.close();
  });

  it('stops the worker through CDP, so the next message starts a new one', async () => {
    const device = await chromium.newDevice();
    const page = await openApp(device, proxy.url);
    const before = await page.evaluate('window.workerLife()');
    await stopServiceWorkers(page);
    const after = await page.evaluate('window.workerLife()');
    expect(after).not.toBe(before);
    await device.close();
  });

  it('fires a sync event at the worker with every page closed', async () => {
    const device = await chromium.newDevice();
    const page = await openApp(device, proxy.url);
    await page.close();
    await dispatchSync(device, proxy.url, 'harness-tag');
    await expect.poll(() => proxy.log.some((entry) => entry.path === '/api/ping'), { timeout: 10_000 }).toBe(true);
    await device.close();
  });
});
