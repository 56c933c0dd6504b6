/** Opens the SQLite file with the pragmas durability needs, and migrates it. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { normalizeUrl } from '../../../protocol/index.ts';
import { migrate } from './migrate.ts';
import { normalizeStoredEmails } from './normalize-emails.ts';

/**
 * WAL for concurrent readers; synchronous=FULL because a client deletes a mutation once it is
 * acknowledged, so an acknowledged commit must survive power loss; busy_timeout so a second
 * process waits for the write lock instead of failing at once.
 */
export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  registerSqlFunctions(db);
  migrate(db);
  normalizeStoredEmails(db);
  return db;
}

/** Functions the migrations call: `burrow_normalize_url` is the apply path's normal form (005). */
export function registerSqlFunctions(db: Database.Database): void {
  db.function('burrow_normalize_url', { deterministic: true }, (url: unknown) =>
    typeof url === 'string' ? normalizeUrl(url) : null,
  );
}
