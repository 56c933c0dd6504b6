/** The drain benchmark's baseline: Workbox's stock `Queue` replay, as a worker and page the fault proxy serves. */
import type { Page } from 'playwright-core';
import type { Plugin } from 'vite';
import { REPO_ROOT } from '../support/browser.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';

/** Where the baseline lives on the proxy's origin; its own scope, so Burrow's worker never serves it. */
export const BASELINE_SCOPE = '/workbox-baseline/';

const ENTRY_ID = 'virtual:workbox-baseline-worker';

// One request per mutation, stored as a Request, replayed one after another by `replayRequests()`:
// Workbox's default behaviour, with nothing of ours in the way.
const WORKER_SOURCE = `
import { Queue } from 'workbox-background-sync';

const queue = new Queue('workbox-baseline', { onSync: async () => {} });
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
  const task = event.data.type === 'enqueue' ? enqueue(event.data) : replay();
  event.waitUntil(task.then(
    (result) => event.ports[0].postMessage({ ok: true, result }),
    (error) => event.ports[0].postMessage({ ok: false, error: String(error) }),
  ));
});

async function enqueue({ clientId, workspaceId, fields, count }) {
  for (let seq = 1; seq <= count; seq++) {
    const mutation = { seq, id: crypto.randomUUID(), table: 'cards', op: 'create', recordId: crypto.randomUUID(),
      workspaceId, baseVersion: 0, fields: { ...fields, title: 'workbox ' + seq }, clientTime: new Date().toISOString() };
    const request = new Request('/api/sync/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': clientId + '.' + seq },
      body: JSON.stringify({ protocol: 1, clientId, mutations: [mutation] }),
    });
    await queue.pushRequest({ request });
  }
  return count;
}

async function replay() {
  const started = performance.now();
  await queue.replayRequests();
  return performance.now() - started;
}
`;

const PAGE_SOURCE = `<!doctype html><title>workbox baseline</title><script>
window.baselineReady = navigator.serviceWorker.register('sw.js', { scope: '${BASELINE_SCOPE}' })
  .then(() => navigator.serviceWorker.ready)
  .then(() => new Promise((resolve) => {
    if (navigator.serviceWorker.controller) return resolve();
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
  }));
window.askWorker = (message) => new Promise((resolve, reject) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => event.data.ok ? resolve(event.data.result) : reject(new Error(event.data.error));
  navigator.serviceWorker.controller.postMessage(message, [channel.port2]);
});
</script>`;

/** Bundles the baseline worker with Vite (Workbox's production build, no dev logging). */
async function bundleWorker(): Promise<string> {
  const { build } = await import('vite');
  const virtualEntry: Plugin = {
    name: 'workbox-baseline-entry',
    enforce: 'pre',
    resolveId: (id) => (id === ENTRY_ID ? `\0${ENTRY_ID}` : null),
    load: (id) => (id === `\0${ENTRY_ID}` ? WORKER_SOURCE : null),
  };
  const output = await build({
    configFile: false,
    root: REPO_ROOT,
    logLevel: 'warn',
    plugins: [virtualEntry],
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      minify: true,
      copyPublicDir: false,
      rollupOptions: { input: ENTRY_ID, output: { format: 'iife', entryFileNames: 'sw.js' } },
    },
  });
  const results = Array.isArray(output) ? output : [output];
  for (const result of results) {
    if (!('output' in result)) continue;
    const chunk = result.output.find((item) => item.type === 'chunk');
    if (chunk && chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('vite build of the Workbox baseline worker produced no chunk');
}

/** Makes the proxy serve the baseline page and worker at BASELINE_SCOPE. */
export async function serveWorkboxBaseline(proxy: FaultProxy): Promise<void> {
  const worker = await bundleWorker();
  proxy.serveStatic(BASELINE_SCOPE, { contentType: 'text/html', body: PAGE_SOURCE });
  proxy.serveStatic(`${BASELINE_SCOPE}sw.js`, { contentType: 'text/javascript', body: worker });
}

/** Queues `count` one-mutation push requests in the baseline worker (not timed). */
export async function enqueueBaseline(
  page: Page,
  request: { clientId: string; workspaceId: string; fields: Record<string, unknown>; count: number },
): Promise<void> {
  await page.evaluate('window.baselineReady');
  await page.evaluate(`window.askWorker(${JSON.stringify({ type: 'enqueue', ...request })})`);
}

/** Replays the whole queue with Workbox's `replayRequests()`; returns the milliseconds it took. */
export async function replayBaseline(page: Page): Promise<number> {
  return (await page.evaluate(`window.askWorker({ type: 'replay' })`)) as number;
}
