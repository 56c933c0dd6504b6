/** Server configuration: defaults, then environment variables, then command-line flags (flags win). */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import packageJson from '../package.json' with { type: 'json' };

/** Everything the server reads from its surroundings; tests build one with `loadConfig([], {})`. */
export interface ServerConfig {
  port: number;
  host: string;
  /** Directory of the database (`burrow.sqlite`); created when missing. */
  dataDir: string;
  /** `postgres://…`: run on PostgreSQL instead of SQLite in `dataDir` (several processes may share it). */
  databaseUrl: string | null;
  /** Server processes on the one port (Node's cluster); more than 1 needs `databaseUrl`. */
  workers: number;
  /** Writes that arrive while a commit is in flight share the next transaction (`BURROW_GROUP_COMMIT=0`: off). */
  groupCommit: boolean;
  /** The repository root: where `dist/`, `src/`, … live. */
  rootDir: string;
  /** The built PWA the server serves. */
  distDir: string;
  version: string;
  /** Tombstones older than this are purged; a cursor below the purged horizon gets 410. */
  tombstoneRetentionMs: number;
  /** How often the purge and idempotency reaper run. */
  purgeIntervalMs: number;
  /** Stored Idempotency-Key responses are kept at least this long. */
  idempotencyRetentionMs: number;
  /** Sign-in attempts per (account, address) within `loginWindowMs` that run without delay. */
  loginLimit: number;
  loginWindowMs: number;
  /** Failed sign-ins per address across every account within `loginWindowMs` before 429. */
  loginAddressLimit: number;
  /** Sign-ups per address within `signupWindowMs` before 429. */
  signupLimit: number;
  signupWindowMs: number;
  /** Password hashes (scrypt, in libuv's thread pool) running at once, and how many may wait. */
  hashConcurrency: number;
  hashQueueLimit: number;
  /** Record writes per user within `writeWindowMs` (a push counts its mutations) before 429. */
  writeLimit: number;
  writeWindowMs: number;
  /** Characters of JSON a user's pulls and lists may answer within `readWindowMs` before 429. */
  readLimitBytes: number;
  readWindowMs: number;
  /** Bytes of stored record fields per user (0: no quota). */
  quotaBytes: number;
  /** Skip the "is dist/ up to date" check and build at start. */
  skipBuild: boolean;
  /** SSE comment heartbeat interval. */
  heartbeatMs: number;
  /** Minimum gap between two pokes on one SSE connection (coalescing). */
  pokeIntervalMs: number;
  /** scrypt cost N (a power of two). Tests lower it; production keeps the default. */
  scryptCost: number;
  /** Session lifetime; a session used in its second half is renewed. */
  sessionTtlMs: number;
  /**
   * How many proxies of yours stand in front of the server (0: none). Their
   * `X-Forwarded-For`/`X-Forwarded-Proto` entries are trusted, no others.
   */
  trustProxy: number;
  /** The URL people use (`BURROW_PUBLIC_URL`); when set, requests for any other Host are refused. */
  publicUrl: URL | null;
  /** Extra origins whose cookie-authenticated writes are accepted (besides the server's own). */
  allowedOrigins: string[];
  /** `silent` turns request logs off (errors are still logged). */
  requestLogs: boolean;
  /** Event streams one user may hold; opening one more closes their oldest. */
  maxStreamsPerUser: number;
  /** A connection must send a request's headers within this (idle new connections too). */
  headersTimeoutMs: number;
  /** A request's headers and whole body must arrive within this, else 408 and the connection closes. */
  requestTimeoutMs: number;
  /** Open connections from one client address; more are refused (0: no cap). */
  maxConnectionsPerAddress: number;
  /** Open connections in all (0: no cap); keep it under the process's file descriptor limit. */
  maxConnections: number;
  /** API JSON answers at least this many bytes long are compressed (gzip) for clients that accept it. */
  compressMinBytes: number;
  /** Link previews: fetching on (`BURROW_UNFURL=0` turns it off), and its knobs. */
  unfurl: UnfurlConfig;
}

export interface UnfurlConfig {
  enabled: boolean;
  /** Let the fetcher reach private and loopback addresses: tests against a fixture site only. */
  allowPrivate: boolean;
  /** Least time between two fetches from one host. */
  hostGapMs: number;
  /** The first retry delay after a transient failure. */
  retryBaseMs: number;
  /** Bytes of stored images previews may give one person (`BURROW_MEDIA_QUOTA_BYTES`). */
  mediaQuotaBytes: number;
}

const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DAY = 24 * 60 * 60 * 1000;

type Env = Record<string, string | undefined>;

function integer(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** An integer of at least 1 (a knob for which 0 would mean nothing works). */
function positive(raw: string | undefined, name: string, fallback: number): number {
  const value = integer(raw, name, fallback);
  if (value < 1) throw new Error(`${name} must be at least 1, got "${raw}"`);
  return value;
}

function databaseUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('DATABASE_URL must be a postgres:// URL');
  }
  // Never echo the URL: it may hold a password.
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new Error(`DATABASE_URL must be a postgres:// URL, got a ${url.protocol} URL`);
  return raw;
}

function publicUrl(raw: string | undefined): URL | null {
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`BURROW_PUBLIC_URL must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`BURROW_PUBLIC_URL must be an http(s) URL, got "${raw}"`);
  return url;
}

/** Reads `--name value` and `--name=value` flags. */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (i + 1 < argv.length) flags.set(arg.slice(2), argv[++i]);
    else throw new Error(`flag ${arg} needs a value`);
  }
  return flags;
}

/**
 * Builds the configuration from `argv` (flags `--port`, `--host`, `--data-dir`,
 * `--database-url`, `--workers`) and `env` (`PORT`, `HOST`, `DATA_DIR`, `DATABASE_URL`,
 * `BURROW_WORKERS` and the `BURROW_*` knobs documented in docs/protocol.md).
 */
export function loadConfig(argv: readonly string[], env: Env): ServerConfig {
  const flags = parseFlags(argv);
  const dataDir = flags.get('data-dir') ?? env.DATA_DIR ?? './data';
  const database = databaseUrl(flags.get('database-url') ?? env.DATABASE_URL);
  const workers = positive(flags.get('workers') ?? env.BURROW_WORKERS, 'workers', 1);
  if (workers > 1 && database === null) {
    throw new Error('--workers above 1 needs DATABASE_URL: SQLite serves one process');
  }
  return {
    port: integer(flags.get('port') ?? env.PORT, 'port', 8787),
    host: flags.get('host') ?? env.HOST ?? '127.0.0.1',
    dataDir: path.resolve(dataDir),
    databaseUrl: database,
    workers,
    groupCommit: env.BURROW_GROUP_COMMIT !== '0',
    rootDir: ROOT_DIR,
    distDir: env.BURROW_DIST_DIR ? path.resolve(env.BURROW_DIST_DIR) : path.join(ROOT_DIR, 'dist'),
    version: packageJson.version,
    tombstoneRetentionMs: integer(env.BURROW_TOMBSTONE_RETENTION_MS, 'BURROW_TOMBSTONE_RETENTION_MS', 30 * DAY),
    purgeIntervalMs: integer(env.BURROW_PURGE_INTERVAL_MS, 'BURROW_PURGE_INTERVAL_MS', 60 * 60 * 1000),
    idempotencyRetentionMs: integer(env.BURROW_IDEMPOTENCY_RETENTION_MS, 'BURROW_IDEMPOTENCY_RETENTION_MS', 3 * DAY),
    loginLimit: integer(env.BURROW_LOGIN_LIMIT, 'BURROW_LOGIN_LIMIT', 10),
    loginWindowMs: integer(env.BURROW_LOGIN_WINDOW_MS, 'BURROW_LOGIN_WINDOW_MS', 15 * 60 * 1000),
    loginAddressLimit: integer(env.BURROW_LOGIN_ADDRESS_LIMIT, 'BURROW_LOGIN_ADDRESS_LIMIT', 100),
    signupLimit: integer(env.BURROW_SIGNUP_LIMIT, 'BURROW_SIGNUP_LIMIT', 10),
    signupWindowMs: integer(env.BURROW_SIGNUP_WINDOW_MS, 'BURROW_SIGNUP_WINDOW_MS', 60 * 60 * 1000),
    // One core is left to the event loop: on 2 cores two hashes at once starved every other
    // request during a signup flood (honest push p99 2.6×, health 129 ms; with one, 1.3× and 56 ms).
    hashConcurrency: positive(
      env.BURROW_HASH_CONCURRENCY,
      'BURROW_HASH_CONCURRENCY',
      Math.max(1, availableParallelism() - 1),
    ),
    hashQueueLimit: integer(env.BURROW_HASH_QUEUE_LIMIT, 'BURROW_HASH_QUEUE_LIMIT', 32),
    writeLimit: positive(env.BURROW_WRITE_LIMIT, 'BURROW_WRITE_LIMIT', 10_000),
    writeWindowMs: integer(env.BURROW_WRITE_WINDOW_MS, 'BURROW_WRITE_WINDOW_MS', 60 * 1000),
    // 8 pages of 4 MiB per 10 s: a new device still brings 560 MB of notes in under three
    // minutes, and a client pulling 4 MiB pages without pause no longer holds the event loop.
    readLimitBytes: positive(env.BURROW_READ_LIMIT_BYTES, 'BURROW_READ_LIMIT_BYTES', 32 * 1024 * 1024),
    readWindowMs: positive(env.BURROW_READ_WINDOW_MS, 'BURROW_READ_WINDOW_MS', 10 * 1000),
    quotaBytes: integer(env.BURROW_QUOTA_BYTES, 'BURROW_QUOTA_BYTES', 256 * 1024 * 1024),
    skipBuild: env.BURROW_SKIP_BUILD === '1',
    heartbeatMs: integer(env.BURROW_HEARTBEAT_MS, 'BURROW_HEARTBEAT_MS', 15_000),
    pokeIntervalMs: integer(env.BURROW_POKE_INTERVAL_MS, 'BURROW_POKE_INTERVAL_MS', 50),
    scryptCost: integer(env.BURROW_SCRYPT_COST, 'BURROW_SCRYPT_COST', 2 ** 15),
    sessionTtlMs: integer(env.BURROW_SESSION_TTL_MS, 'BURROW_SESSION_TTL_MS', 90 * DAY),
    trustProxy: integer(env.BURROW_TRUST_PROXY, 'BURROW_TRUST_PROXY', 0),
    publicUrl: publicUrl(env.BURROW_PUBLIC_URL),
    allowedOrigins: (env.BURROW_ALLOWED_ORIGINS ?? '').split(',').filter((origin) => origin !== ''),
    requestLogs: env.BURROW_LOG !== 'silent',
    unfurl: {
      enabled: env.BURROW_UNFURL !== '0',
      allowPrivate: env.BURROW_UNFURL_ALLOW_PRIVATE === '1',
      hostGapMs: integer(env.BURROW_UNFURL_HOST_GAP_MS, 'BURROW_UNFURL_HOST_GAP_MS', 1000),
      retryBaseMs: integer(env.BURROW_UNFURL_RETRY_MS, 'BURROW_UNFURL_RETRY_MS', 30_000),
      mediaQuotaBytes: integer(env.BURROW_MEDIA_QUOTA_BYTES, 'BURROW_MEDIA_QUOTA_BYTES', 100 * 1024 * 1024),
    },
    maxStreamsPerUser: positive(env.BURROW_MAX_STREAMS_PER_USER, 'BURROW_MAX_STREAMS_PER_USER', 16),
    headersTimeoutMs: positive(env.BURROW_HEADERS_TIMEOUT_MS, 'BURROW_HEADERS_TIMEOUT_MS', 10_000),
    requestTimeoutMs: positive(env.BURROW_REQUEST_TIMEOUT_MS, 'BURROW_REQUEST_TIMEOUT_MS', 20_000),
    maxConnectionsPerAddress: integer(env.BURROW_MAX_CONNECTIONS_PER_ADDRESS, 'BURROW_MAX_CONNECTIONS_PER_ADDRESS', 64),
    maxConnections: integer(env.BURROW_MAX_CONNECTIONS, 'BURROW_MAX_CONNECTIONS', 4096),
    compressMinBytes: integer(env.BURROW_COMPRESS_MIN_BYTES, 'BURROW_COMPRESS_MIN_BYTES', 1024),
  };
}
