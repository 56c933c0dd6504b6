/**
 * Stopping the documented start command: SIGTERM or SIGINT sent to the `npm start` process (the
 * one a service manager sees) ends open event streams at once, stops every process npm started
 * and frees the port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/server-process.ts';

const LISTENING_LINE = /Burrow listening on (http:\/\/\S+)/;

let npm: ChildProcess | undefined;
let tree: number[] = [];
let dataDir: string | undefined;

afterEach(async () => {
  // Whatever the test found, nothing it started may outlive it.
  for (const pid of [npm?.pid, ...tree]) {
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  npm = undefined;
  tree = [];
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function describeProcess(pid: number): string {
  return `${pid}: ${commandLine(pid)}`;
}

/** Every process below `root`, from /proc (parent ids in /proc/<pid>/stat). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent !== pid) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

/** `npm start` on a free port; resolves with its URL once the server prints its line. */
async function startWithNpm(): Promise<string> {
  dataDir = await mkdtemp(join(tmpdir(), 'burrow-npm-start-'));
  const child = spawn('npm', ['start', '--', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      BURROW_SKIP_BUILD: '1',
      BURROW_LOG: 'silent',
      BURROW_SCRYPT_COST: '1024',
      npm_config_update_notifier: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm = child;
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const match = LISTENING_LINE.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`npm start exited (${code}) before listening:\n${stdout}\n${stderr}`)),
    );
  });
}

/** Signs up and opens an event stream; resolves once the stream is open, with a promise of its end. */
async function openStream(url: string): Promise<{ ended: Promise<string> }> {
  const signup = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'stop@example.test', password: 'correct horse battery' }),
  });
  const cookie = (signup.headers.get('set-cookie') ?? '').split(';')[0];
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/api/sync/events`, { headers: { cookie }, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      const ended = new Promise<string>((done) => response.once('close', () => done(text)));
      response.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('event: poke')) resolve({ ended });
      });
    });
    request.once('error', reject);
    request.end();
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops on ${signal} to the npm process with an event stream open, and frees the port`, async () => {
      const url = await startWithNpm();
      const port = Number(new URL(url).port);
      const stream = await openStream(url);
      // The server's processes: node, and on main a tsx wrapper too (npm's own helpers aside).
      tree = descendants(npm!.pid!).filter((pid) => commandLine(pid).includes('server/main.ts'));
      expect(tree.length).toBeGreaterThan(0);

      const exited = new Promise<number | null>((resolve) => npm!.once('exit', (code) => resolve(code)));
      const started = performance.now();
      npm!.kill(signal);
      const streamText = await stream.ended;
      const streamEndedMs = performance.now() - started;
      const code = await exited;
      const exitedMs = performance.now() - started;
      console.log(
        `${signal} to npm start: stream ended after ${streamEndedMs.toFixed(0)} ms, npm exited after ${exitedMs.toFixed(0)} ms`,
      );

      expect(streamText).toContain('event: poke');
      expect(code).toBe(0);
      expect(tree.filter(isAlive).map(describeProcess)).toEqual([]);
      expect(await portIsFree(port)).toBe(true);
    });
  }
});
