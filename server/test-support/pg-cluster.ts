/**
 * A throwaway PostgreSQL 15 cluster for tests: initdb into a temp dir, started on a free
 * loopback port, stopped and removed at the end. Databases for test files are copied from a
 * migrated template (`CREATE DATABASE … TEMPLATE`, about 0.1 s) instead of migrated each time.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's PostgreSQL 15 (`apt-get install postgresql`); not on PATH. */
export const PG_BIN = process.env.BURROW_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  readonly port: number;
  readonly dir: string;
  /** `postgres://postgres@127.0.0.1:PORT/<database>`. */
  url(database: string): string;
  /** Runs SQL as the superuser on the `postgres` database (CREATE DATABASE, pg_terminate_backend, …). */
  psql(sql: string, database?: string): Promise<string>;
  /** `pg_ctl restart -m <mode>`: `immediate` is a crash (no checkpoint, recovery at start). */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** `pg_ctl stop -m immediate`, keeping the data: the database is gone until `resume`. */
  pause(): Promise<void>;
  /** Starts the paused cluster again (recovery, as after a crash). */
  resume(): Promise<void>;
  /** Stops the cluster (immediate) and removes its directory. */
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  /** `fsync=off` (default) makes tests quick; the durability test turns it back on. */
  fsync?: boolean;
}

/** initdb refuses root: as root, every PostgreSQL program runs as the `postgres` user. */
function asPostgres(program: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const file = path.join(PG_BIN, program);
  if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', file, ...args], { encoding: 'utf8' });
  return run(file, args, { encoding: 'utf8' });
}

/** A port free on 127.0.0.1 right now (the OS picks it; PostgreSQL binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  if (!existsSync(path.join(PG_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL 15 is not installed (no ${PG_BIN}/initdb): apt-get install -y postgresql`);
  }
  // mktemp's 0700 directory must be enterable by the postgres user.
  const dir = mkdtempSync(path.join(tmpdir(), 'burrow-pg-'));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const { stdout: group } = await run('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(stdout.trim()), Number(group.trim()));
  }
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'log');
  await asPostgres('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  const port = await freePort();
  const settings = [
    `-k ${dir}`,
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c fsync=${options.fsync === true ? 'on' : 'off'}`,
    '-c max_connections=200',
    // A throwaway cluster on a loaded 2-core machine: small memory, no background chatter.
    '-c shared_buffers=64MB',
    '-c autovacuum=off',
  ].join(' ');
  const pgCtl = (...args: string[]) => asPostgres('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', ...args]);
  await pgCtl('-o', settings, 'start');

  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    port,
    dir,
    url,
    async psql(sql, database = 'postgres') {
      const { stdout } = await asPostgres('psql', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        database,
        '-v',
        'ON_ERROR_STOP=1',
        '-qAt',
        '-c',
        sql,
      ]);
      return stdout.trim();
    },
    async restart(mode = 'fast') {
      await pgCtl('-m', mode, '-o', settings, 'restart');
    },
    async pause() {
      await pgCtl('-m', 'immediate', 'stop');
    },
    async resume() {
      await pgCtl('-o', settings, 'start');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
