/** Opens the configured storage: SQLite in `DATA_DIR`, or PostgreSQL at `DATABASE_URL` with limits shared through it. */
import path from 'node:path';
import type { ServerConfig } from '../config.ts';
import { createLimiters, type Limiters } from '../limits/limiters.ts';
import { postgresBackend } from '../limits/postgres-backend.ts';
import type { Logger } from '../logger.ts';
import { openPostgresStore } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

export async function openStorage(
  config: ServerConfig,
  logger?: Logger,
): Promise<{ store: Store; limiters: Limiters }> {
  if (config.databaseUrl === null) {
    const store = openSqliteStore(path.join(config.dataDir, 'burrow.sqlite'), {
      quotaBytes: config.quotaBytes,
      groupCommit: config.groupCommit,
    });
    return { store, limiters: createLimiters(config) };
  }
  const store = await openPostgresStore(config.databaseUrl, {
    quotaBytes: config.quotaBytes,
    groupCommit: config.groupCommit,
    applicationName: `burrow-${process.pid}`,
    logger,
  });
  return { store, limiters: createLimiters(config, postgresBackend(store.sql)) };
}
