/** Builds the PWA with Vite when `dist/index.html` is missing or older than any of its sources. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger.ts';

const SOURCE_DIRS = ['src', 'sw', 'protocol', 'public'];
const SOURCE_FILES = ['index.html', 'vite.config.ts'];

/** The newest modification time (ms) among the files under `entry`, or 0. */
function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const info = statSync(entry);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

/** True when dist/index.html is missing or older than a source of the build. */
export function buildIsStale(rootDir: string): boolean {
  const built = path.join(rootDir, 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const sources = [...SOURCE_DIRS, ...SOURCE_FILES].map((name) => newestMtime(path.join(rootDir, name)));
  return Math.max(...sources) > statSync(built).mtimeMs;
}

/** Runs `vite build` when stale; the build's output goes to stderr (stdout is for the one listening line). */
export async function ensureBuilt(rootDir: string, logger: Logger): Promise<void> {
  if (!buildIsStale(rootDir)) return;
  logger.log('info', 'building the PWA (dist/ is missing or stale)');
  const vite = path.join(rootDir, 'node_modules', '.bin', 'vite');
  await new Promise<void>((resolve, reject) => {
    // Always a production bundle, whatever NODE_ENV the caller runs under.
    const child = spawn(vite, ['build'], {
      cwd: rootDir,
      stdio: ['ignore', process.stderr, process.stderr],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`))));
  });
}
