/** A real Burrow server in a child process, on loopback, for tests that cross programs. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the server is started from here so `--import tsx` and server/ resolve. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const LISTENING_LINE = /^Burrow listening on (http:\/\/\S+)\s*$/m;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface StartServerOptions {
  /** Where the server keeps its SQLite file. Default: a new temp dir, removed by `stop()`. */
  dataDir?: string;
  /** Keep the data dir after `stop()` (always kept when `dataDir` was given). */
  keepDataDir?: boolean;
  /** Extra environment (BURROW_TOMBSTONE_RETENTION_MS, BURROW_LOGIN_LIMIT, …). */
  env?: Record<string, string>;
  /** A fixed port; default 0 (any free port) for the first start. Restarts reuse the port. */
  port?: number;
  /** Options for node itself, before the script (`--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

export interface ServerProcess {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the same after `restart()`. */
  readonly url: string;
  readonly dataDir: string;
  /** The OS process id of the server (not of a wrapper). */
  readonly pid: number;
  /** SIGTERM, wait for exit, then remove the data dir unless it is kept. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: nothing is flushed, no handler runs); waits for the exit. Keeps the data dir. */
  kill(): Promise<void>;
  /** Stops the server if it runs, then starts it again on the same data dir and port. */
  restart(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
  stderr: () => string;
  /** Set when the test itself ends the process, so its exit is not reported as a failure. */
  expectingExit: boolean;
}

/** Thrown when the server does not come up; carries the server's stderr. */
export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

/**
 * Starts `server/main.ts` and resolves once it prints its listening line.
 * It runs as `node --import tsx server/main.ts`, not through the `tsx` CLI: the CLI forks a
 * second node process, so a SIGKILL to it would leave the real server running.
 */
export async function startServer(options: StartServerOptions = {}): Promise<ServerProcess> {
  options = await onTestBackend(options);
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'burrow-server-')));
  const keepDataDir = !ownsDataDir || options.keepDataDir === true;
  let port = options.port ?? 0;
  let running: Running | null = await spawnServer(dataDir, port, options.env ?? {}, options.nodeArgs ?? []);
  port = Number(new URL(running.url).port);
  const url = running.url;

  async function end(signal: NodeJS.Signals): Promise<void> {
    if (!running) return;
    const current = running;
    running = null;
    current.expectingExit = true;
    if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill(signal);
    await withTimeout(current.exited, STOP_TIMEOUT_MS, `server did not exit on ${signal}`);
  }

  return {
    url,
    dataDir,
    get pid() {
      return running?.child.pid ?? -1;
    },
    async stop() {
      await end('SIGTERM');
      if (!keepDataDir) await rm(dataDir, { recursive: true, force: true });
    },
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGTERM');
      running = await spawnServer(dataDir, port, options.env ?? {}, options.nodeArgs ?? []);
    },
  };
}

/**
 * In a suite run on PostgreSQL (`BURROW_TEST_STORE=postgres`, see `*.postgres.test.ts`), a
 * server without a `DATABASE_URL` gets a database of its own from the run's cluster.
 */
async function onTestBackend(options: StartServerOptions): Promise<StartServerOptions> {
  if (process.env.BURROW_TEST_STORE !== 'postgres' || options.env?.DATABASE_URL) return options;
  // Loaded only here: it reads the cluster's port from vitest, which scripts (chaos, bench) lack.
  const { createTestDatabase } = await import('../../server/test-support/pg-database.ts');
  return { ...options, env: { ...options.env, DATABASE_URL: await createTestDatabase() } };
}

function spawnServer(dataDir: string, port: number, env: Record<string, string>, nodeArgs: string[]): Promise<Running> {
  const args = [
    ...nodeArgs,
    '--import',
    'tsx',
    'server/main.ts',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--data-dir',
    dataDir,
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      BURROW_LOG: 'silent',
      BURROW_SKIP_BUILD: '1',
      // Tests and benches sign up many accounts from loopback and push as fast as they can;
      // the tests of these limits set them low.
      BURROW_SIGNUP_LIMIT: '100000',
      BURROW_WRITE_LIMIT: '100000000',
      BURROW_READ_LIMIT_BYTES: '2000000000',
      // Test cards link to example.com and such: no test may reach past loopback. The preview
      // tests turn fetching on, against a fixture site on 127.0.0.1.
      BURROW_UNFURL: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running: Running = { child, url: '', exited, stderr: () => stderr, expectingExit: false };
  // A server that dies on its own is a failure the test should see: forward what it said.
  child.once('exit', (code, signal) => {
    if (running.expectingExit || !running.url) return;
    process.stderr.write(`burrow server exited unexpectedly (code ${code}, signal ${signal}):\n${stderr}\n`);
  });

  return new Promise<Running>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      running.expectingExit = true;
      child.kill('SIGKILL');
      reject(new ServerStartError(`${reason}\n--- server stderr ---\n${stderr}\n--- server stdout ---\n${stdout}`));
    };
    const timer = setTimeout(
      () => fail(`server did not print its listening line in ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', (chunk: string) => {
      if (running.url) return;
      stdout += chunk;
      const match = LISTENING_LINE.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      running.url = match[1];
      resolve(running);
    });
    child.once('exit', (code, signal) => {
      if (!running.url) fail(`server exited before listening (code ${code}, signal ${signal})`);
    });
    child.once('error', (error) => fail(`server could not be spawned: ${error.message}`));
  });
}

function withTimeout(promise: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
