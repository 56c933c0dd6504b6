/** Runs the numbered SQL migrations (`migrations/NNN-name.sql`) the database has not seen yet. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

interface Migration {
  version: number;
  file: string;
}

function listMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{3}-[a-z0-9-]+\.sql$/.test(file))
    .map((file) => ({ version: Number(file.slice(0, 3)), file }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Applies every migration above the database's `user_version` (up to `target`, for tests of a
 * migration), each in its own transaction together with the version bump, so a crash never
 * leaves one half applied.
 */
export function migrate(db: Database.Database, target = Number.POSITIVE_INFINITY): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  let applied = 0;
  for (const migration of listMigrations()) {
    if (migration.version <= current || migration.version > target) continue;
    const sql = readFileSync(path.join(MIGRATIONS_DIR, migration.file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied++;
  }
  return applied;
}
