/**
 * `tsx tests/bench/app.bench.ts`: the bundle budget of the production build, read from Vite's
 * manifest (the JavaScript of the first view, all JavaScript, the service worker; gzip), and how
 * fast the app renders from the worker's cache.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { inPage, launchBrowser, openApp, REPO_ROOT } from '../support/browser.ts';
import { startServer } from '../support/server-process.ts';
import { type BenchRow, benchRow, markdownTable, writeBenchResults } from './bench-report.ts';

const RELOADS = 9;
/** The JavaScript the first view loads: the entry chunk and what it imports statically. */
const FIRST_VIEW_BUDGET_KIB = 45;
/** Every script the app ships: the page's chunks, those loaded on demand included, and the worker. */
const ALL_JS_BUDGET_KIB = 120;
const WORKER_BUDGET_KIB = 25;
/** Cards in the local database while timing, so the first render has real work to do. */
const SEEDED_CARDS = 100;
const FIRST_RENDER_BUDGET_MS = 300;

/**
 * Builds dist/ for production, always: a dist/ left by the e2e run may be a development build
 * (vitest sets NODE_ENV=test, which `vite build` honours), which is larger and slower.
 */
function buildForProduction(): void {
  const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'vite'), ['build'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

function gzipKibibytes(files: string[]): number {
  return files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0) / 1024;
}

/** One chunk of Vite's build manifest (dist/.vite/manifest.json). */
interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

type Manifest = Record<string, ManifestChunk>;

/** The page's scripts by what loads them: the first view's (entry and static imports), and all. */
function pageScripts(dist: string): { firstView: string[]; all: string[] } {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Manifest;
  const scripts = (keys: Iterable<string>) =>
    [...keys].map((key) => manifest[key].file).filter((file) => file.endsWith('.js'));
  const firstView = new Set<string>();
  const visit = (key: string) => {
    if (firstView.has(key)) return;
    firstView.add(key);
    for (const imported of manifest[key].imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const all = scripts(Object.keys(manifest));
  // A script the manifest does not name would escape the budget.
  const built = readdirSync(join(dist, 'assets')).filter((file) => file.endsWith('.js'));
  const unnamed = built.filter((file) => !all.includes(`assets/${file}`));
  if (unnamed.length > 0) throw new Error(`scripts missing from the build manifest: ${unnamed.join(', ')}`);
  return { firstView: scripts(firstView).map((file) => join(dist, file)), all: all.map((file) => join(dist, file)) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Before any app script runs, records when the first card appears in the DOM. Installed as an
 * init script (over CDP), so the server's CSP does not apply to it and the app ships nothing for it.
 */
function watchForFirstCard(): void {
  // Runs in the page; this file is typed for Node, so the DOM is described here.
  const page = globalThis as unknown as {
    document: { querySelector(selector: string): unknown };
    MutationObserver: new (
      callback: () => void,
    ) => { observe(target: unknown, options: { childList: boolean; subtree: boolean }): void; disconnect(): void };
    burrowFirstCardAt?: number;
  };
  const observer = new page.MutationObserver(() => {
    if (page.document.querySelector('article')) {
      page.burrowFirstCardAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(page.document, { childList: true, subtree: true });
}

interface RenderTimes {
  /** The app's own `burrow:first-view` mark: header, navigation and the view's heading. */
  firstView: number;
  /** The first card of the seeded list on screen. */
  firstCard: number;
}

async function timeReload(page: Page): Promise<RenderTimes> {
  await page.reload();
  await page.getByRole('article').first().waitFor();
  return page.evaluate(() => {
    const mark = performance.getEntriesByName('burrow:first-view')[0];
    const scope = globalThis as unknown as { burrowFirstCardAt?: number };
    return { firstView: mark?.startTime ?? Number.NaN, firstCard: scope.burrowFirstCardAt ?? Number.NaN };
  });
}

/** Milliseconds from navigation start, over reloads served by the worker's precache. */
async function firstRenderFromCache(): Promise<RenderTimes[]> {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const device = await browser.newDevice();
    await device.addInitScript(watchForFirstCard);
    const page = await openApp(device, server.url);
    await inPage(
      page,
      async (burrow, count) => {
        for (let index = 0; index < count; index++) {
          await burrow.create('cards', {
            kind: 'note',
            title: `Seeded note ${index}`,
            content: `Some **markdown** for note ${index}.`,
            tags: ['bench'],
            collectionIds: [],
            pinned: false,
          });
        }
      },
      SEEDED_CARDS,
    );
    await timeReload(page); // warm-up: the first reload also fills the HTTP and code caches
    const times: RenderTimes[] = [];
    for (let round = 0; round < RELOADS; round++) times.push(await timeReload(page));
    return times;
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  buildForProduction();
  const dist = join(REPO_ROOT, 'dist');
  const renders = await firstRenderFromCache();
  const scripts = pageScripts(dist);
  const worker = join(dist, 'sw.js');
  const rows: BenchRow[] = [
    benchRow({
      name: 'app: JavaScript of the first view (gzip, from the build manifest)',
      value: gzipKibibytes(scripts.firstView),
      unit: 'KiB',
      target: { on: 'value', atMost: FIRST_VIEW_BUDGET_KIB },
    }),
    benchRow({
      name: 'app: all JavaScript, views loaded on demand and the worker (gzip)',
      value: gzipKibibytes([...scripts.all, worker]),
      unit: 'KiB',
      target: { on: 'value', atMost: ALL_JS_BUDGET_KIB },
    }),
    benchRow({
      name: 'app: service worker (gzip)',
      value: gzipKibibytes([worker]),
      unit: 'KiB',
      target: { on: 'value', atMost: WORKER_BUDGET_KIB },
    }),
    benchRow({
      name: `app: first view from cache (median of ${RELOADS})`,
      value: median(renders.map((render) => render.firstView)),
      unit: 'ms',
      target: { on: 'value', atMost: FIRST_RENDER_BUDGET_MS },
    }),
    benchRow({
      name: `app: first of ${SEEDED_CARDS} cards from cache (median of ${RELOADS})`,
      value: median(renders.map((render) => render.firstCard)),
      unit: 'ms',
      target: { on: 'value', atMost: FIRST_RENDER_BUDGET_MS },
    }),
  ];
  await writeBenchResults('app', rows);
  console.log(markdownTable(rows));
}

await main();
