/** Prepared statements for push bookkeeping, pull, REST lists, idempotency and maintenance. */
import type Database from 'better-sqlite3';
import { ENVELOPE_COLUMNS, type EnvelopeRow } from './record-rows.ts';

export function prepareSyncStatements(db: Database.Database) {
  return {
    client: db.prepare<[string], { user_id: string; last_seq: number }>(
      'SELECT user_id, last_seq FROM clients WHERE id = ?',
    ),
    upsertClient: db.prepare<[string, string, number, string]>(
      `INSERT INTO clients(id, user_id, last_seq, created_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq`,
    ),
    latestSeq: db.prepare<[], number>("SELECT value FROM counters WHERE name = 'seq'").pluck(),
    purgeHorizon: db.prepare<[string], number>('SELECT purge_horizon FROM users WHERE id = ?').pluck(),
    pull: db
      .prepare<[string, number, number, number], EnvelopeRow>(
        `SELECT ${ENVELOPE_COLUMNS} FROM records WHERE owner_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
      )
      .raw(),
    list: db
      .prepare<[string, string, number, number, string | null, string | null, number, number], EnvelopeRow>(
        `SELECT ${ENVELOPE_COLUMNS} FROM records WHERE owner_id = ? AND tbl = ? AND seq > ? AND seq <= ?
          AND (? IS NULL OR workspace_id = ?) AND (? = 1 OR deleted = 0) ORDER BY seq LIMIT ?`,
      )
      .raw(),
    liveWorkspaces: db
      .prepare<[string], EnvelopeRow>(
        `SELECT ${ENVELOPE_COLUMNS} FROM records WHERE owner_id = ? AND tbl = 'workspaces' AND deleted = 0 ORDER BY seq`,
      )
      .raw(),
    idempotent: db.prepare<[string, string], { fingerprint: string; status: number; body: string }>(
      'SELECT fingerprint, status, body FROM idempotency WHERE user_id = ? AND key = ?',
    ),
    storeIdempotent: db.prepare<[string, string, string, number, string, number]>(
      'INSERT INTO idempotency(user_id, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    reapIdempotency: db.prepare<[number]>('DELETE FROM idempotency WHERE created_at < ?'),
    raiseHorizons: db.prepare<[string, string]>(
      `UPDATE users SET purge_horizon = MAX(purge_horizon, (SELECT MAX(seq) FROM records
          WHERE records.owner_id = users.id AND deleted = 1 AND updated_at < ?))
        WHERE id IN (SELECT owner_id FROM records WHERE deleted = 1 AND updated_at < ?)`,
    ),
    purgeTombstones: db.prepare<[string]>('DELETE FROM records WHERE deleted = 1 AND updated_at < ?'),
  };
}

export type SyncStatements = ReturnType<typeof prepareSyncStatements>;
