import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

let db: Database.Database;
afterEach(() => db?.close());

/** An in-memory database as a server at schema `version` left it. */
function databaseAt(version: number): Database.Database {
  const opened = new Database(':memory:');
  const files = ['001-initial.sql', '002-push-outcomes.sql', '003-account-limits.sql'].slice(0, version);
  for (const file of files) opened.exec(readFileSync(path.join(MIGRATIONS, file), 'utf8'));
  opened.pragma(`user_version = ${version}`);
  return opened;
}

describe('migration 4: bounded push answers', () => {
  it('forgets stored push answers of the old form and keeps REST answers', () => {
    db = databaseAt(3);
    db.prepare("INSERT INTO users(id, email, password_hash, created_at) VALUES ('u', 'u@x', 'h', 'now')").run();
    const store = db.prepare(
      "INSERT INTO idempotency(user_id, key, fingerprint, status, body, created_at) VALUES ('u', ?, 'f', ?, ?, 0)",
    );
    store.run(
      'push',
      200,
      '{"protocol":1,"lastSeq":1,"cursor":9,"results":[{"seq":1,"status":"applied","record":{}}]}',
    );
    store.run('rest', 201, '{"table":"cards","id":"c","fields":{}}');
    expect(migrate(db, 4)).toBe(1);
    expect(db.prepare('SELECT key FROM idempotency').pluck().all()).toEqual(['rest']);
  });

  it('keeps the conflicts of kept first answers by field name only', () => {
    db = databaseAt(3);
    db.prepare("INSERT INTO users(id, email, password_hash, created_at) VALUES ('u', 'u@x', 'h', 'now')").run();
    db.prepare("INSERT INTO clients(id, user_id, last_seq, created_at) VALUES ('c', 'u', 3, 'now')").run();
    const keep = db.prepare(
      "INSERT INTO push_outcomes(client_id, seq, mutation_id, outcome, created_at) VALUES ('c', ?, ?, ?, 0)",
    );
    const large = 'x'.repeat(100_000);
    keep.run(
      1,
      'm1',
      JSON.stringify({
        status: 'conflict',
        code: 'field-conflict',
        conflicts: [
          { field: 'content', server: large, client: 'mine' },
          { field: 'title', server: 'Theirs', client: 'Mine' },
        ],
      }),
    );
    keep.run(2, 'm2', JSON.stringify({ status: 'conflict', code: 'deleted' }));
    const rejected = { status: 'rejected', error: { code: 'not-found', status: 404 } };
    keep.run(3, 'm3', JSON.stringify(rejected));
    migrate(db, 4);
    const outcomes = db
      .prepare('SELECT outcome FROM push_outcomes ORDER BY seq')
      .pluck()
      .all()
      .map((text) => JSON.parse(text as string));
    expect(outcomes).toEqual([
      {
        status: 'conflict',
        code: 'field-conflict',
        conflicts: [
          { field: 'content', omitted: true },
          { field: 'title', omitted: true },
        ],
      },
      { status: 'conflict', code: 'deleted' },
      rejected,
    ]);
  });
});
