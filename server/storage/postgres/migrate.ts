/** Runs the numbered PostgreSQL migrations (`migrations/NNN-name.sql`) once, under an advisory lock. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCK_NAMESPACE, LOCKS } from './advisory-locks.ts';
import type { Sql } from './connect.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

interface Migration {
  version: number;
  file: string;
}

/**
 * The migrations in order. Two files with one number (branches that each added one) would let
 * the second be skipped forever as already applied: that refuses to start instead.
 */
export function listMigrations(files: string[] = readdirSync(MIGRATIONS_DIR)): Migration[] {
  const migrations = files
    .filter((file) => /^\d{3}-[a-z0-9-]+\.sql$/.test(file))
    .map((file) => ({ version: Number(file.slice(0, 3)), file }))
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new Error(`migrations ${migrations[i - 1].file} and ${migrations[i].file} share a number; renumber one`);
    }
  }
  return migrations;
}

/**
 * Applies every migration the database has not seen, in one transaction that first takes the
 * migrations' advisory lock: several processes starting at once migrate once (the others wait
 * for the lock, then find nothing to do), and a crash leaves no migration half applied.
 * Returns how many were applied.
 */
export async function migrate(sql: Sql): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, ${LOCKS.migrations}::int)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const rows = await tx<{ version: number }[]>`SELECT version FROM schema_migrations`;
    const done = new Set(rows.map((row) => row.version));
    let applied = 0;
    for (const migration of listMigrations()) {
      if (done.has(migration.version)) continue;
      await tx.unsafe(readFileSync(path.join(MIGRATIONS_DIR, migration.file), 'utf8'));
      await tx`INSERT INTO schema_migrations(version) VALUES (${migration.version})`;
      applied++;
    }
    return applied;
  });
}
