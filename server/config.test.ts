import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig([], {});
    expect(config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      dataDir: path.resolve('./data'),
      tombstoneRetentionMs: 30 * 24 * 60 * 60 * 1000,
      idempotencyRetentionMs: 72 * 60 * 60 * 1000,
      heartbeatMs: 15_000,
      skipBuild: false,
      requestLogs: true,
      trustProxy: 0,
      publicUrl: null,
      loginLimit: 10,
      loginAddressLimit: 100,
      signupLimit: 10,
      hashConcurrency: Math.max(1, availableParallelism() - 1),
      writeLimit: 10_000,
      writeWindowMs: 60_000,
      quotaBytes: 256 * 1024 * 1024,
    });
  });

  it('reads proxy trust as a number of hops, and the public URL', () => {
    expect(loadConfig([], { BURROW_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig([], { BURROW_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(() => loadConfig([], { BURROW_TRUST_PROXY: 'yes' })).toThrow(/BURROW_TRUST_PROXY/);
    expect(loadConfig([], { BURROW_PUBLIC_URL: 'https://burrow.example/' }).publicUrl?.host).toBe('burrow.example');
    expect(() => loadConfig([], { BURROW_PUBLIC_URL: 'burrow.example' })).toThrow(/BURROW_PUBLIC_URL/);
    expect(() => loadConfig([], { BURROW_WRITE_LIMIT: '0' })).toThrow(/BURROW_WRITE_LIMIT/);
  });

  it('reads the environment, and flags win over it', () => {
    const env = { PORT: '9000', HOST: '0.0.0.0', DATA_DIR: '/tmp/a', BURROW_LOG: 'silent', BURROW_SKIP_BUILD: '1' };
    expect(loadConfig([], env)).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      dataDir: '/tmp/a',
      requestLogs: false,
      skipBuild: true,
    });
    const config = loadConfig(['--port', '0', '--host=::1', '--data-dir', '/tmp/b'], env);
    expect(config).toMatchObject({ port: 0, host: '::1', dataDir: '/tmp/b' });
  });

  it('reads the test knobs', () => {
    const config = loadConfig([], {
      BURROW_TOMBSTONE_RETENTION_MS: '1',
      BURROW_PURGE_INTERVAL_MS: '2',
      BURROW_IDEMPOTENCY_RETENTION_MS: '3',
      BURROW_LOGIN_LIMIT: '4',
      BURROW_HEARTBEAT_MS: '5',
    });
    expect(config).toMatchObject({
      tombstoneRetentionMs: 1,
      purgeIntervalMs: 2,
      idempotencyRetentionMs: 3,
      loginLimit: 4,
      heartbeatMs: 5,
    });
  });

  it('refuses a value that is not a non-negative integer', () => {
    expect(() => loadConfig(['--port', 'x'], {})).toThrow(/port/);
    expect(() => loadConfig([], { BURROW_HEARTBEAT_MS: '-1' })).toThrow(/BURROW_HEARTBEAT_MS/);
  });

  it('reads the connection knobs, and refuses 0 where 0 would refuse every request', () => {
    expect(loadConfig([], {})).toMatchObject({
      maxStreamsPerUser: 16,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 20_000,
      maxConnectionsPerAddress: 64,
      maxConnections: 4096,
      compressMinBytes: 1024,
    });
    const config = loadConfig([], {
      BURROW_MAX_STREAMS_PER_USER: '2',
      BURROW_HEADERS_TIMEOUT_MS: '3',
      BURROW_REQUEST_TIMEOUT_MS: '4',
      BURROW_MAX_CONNECTIONS_PER_ADDRESS: '0',
      BURROW_MAX_CONNECTIONS: '0',
    });
    expect(config).toMatchObject({
      maxStreamsPerUser: 2,
      headersTimeoutMs: 3,
      requestTimeoutMs: 4,
      maxConnectionsPerAddress: 0,
      maxConnections: 0,
    });
    expect(() => loadConfig([], { BURROW_MAX_STREAMS_PER_USER: '0' })).toThrow(/BURROW_MAX_STREAMS_PER_USER/);
    expect(() => loadConfig([], { BURROW_REQUEST_TIMEOUT_MS: '0' })).toThrow(/BURROW_REQUEST_TIMEOUT_MS/);
  });
});

describe('loadConfig: database and workers', () => {
  it('runs on SQLite in one process, with group commit, by default', () => {
    expect(loadConfig([], {})).toMatchObject({ databaseUrl: null, workers: 1, groupCommit: true });
    expect(loadConfig([], { BURROW_GROUP_COMMIT: '0' }).groupCommit).toBe(false);
  });

  it('reads DATABASE_URL and BURROW_WORKERS, and flags win over them', () => {
    const env = { DATABASE_URL: 'postgres://a@127.0.0.1/one', BURROW_WORKERS: '3' };
    expect(loadConfig([], env)).toMatchObject({ databaseUrl: 'postgres://a@127.0.0.1/one', workers: 3 });
    const flags = ['--database-url', 'postgresql://b@127.0.0.1/two', '--workers=2'];
    expect(loadConfig(flags, env)).toMatchObject({ databaseUrl: 'postgresql://b@127.0.0.1/two', workers: 2 });
  });

  it('refuses a URL that is not postgres://, without echoing it (it may hold a password)', () => {
    expect(() => loadConfig([], { DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/postgres:\/\//);
    expect(() => loadConfig([], { DATABASE_URL: 'mysql://u:secret@h/db' })).not.toThrow(/secret/);
    expect(() => loadConfig([], { DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });

  it('refuses several workers on SQLite, and zero workers', () => {
    expect(() => loadConfig(['--workers', '2'], {})).toThrow(/needs DATABASE_URL/);
    expect(() => loadConfig([], { DATABASE_URL: 'postgres://h/db', BURROW_WORKERS: '0' })).toThrow(/workers/);
  });
});
