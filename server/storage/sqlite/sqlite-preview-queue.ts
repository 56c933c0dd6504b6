/** The preview job queue and media grants over SQLite (tables `preview_jobs`, `media_owners`). */
import type Database from 'better-sqlite3';
import type { NewPreviewJob, PreviewJob, PreviewQueue } from '../../previews/preview-queue.ts';

interface JobRow {
  card_id: string;
  owner_id: string;
  url: string;
  host: string;
  generation: number;
  attempts: number;
}

const JOB_COLUMNS = 'card_id, owner_id, url, host, generation, attempts';

export function preparePreviewStatements(db: Database.Database) {
  return {
    enqueue: db.prepare<[{ card_id: string; owner_id: string; url: string; host: string; now: number }]>(
      `INSERT INTO preview_jobs(card_id, owner_id, url, host, run_at, created_at)
        VALUES (@card_id, @owner_id, @url, @host, @now, @now)
        ON CONFLICT(card_id) DO UPDATE SET owner_id = excluded.owner_id, url = excluded.url, host = excluded.host,
          generation = generation + 1, attempts = 0, run_at = excluded.run_at, lease_until = NULL, last_error = NULL`,
    ),
    find: db.prepare<[string], JobRow>(`SELECT ${JOB_COLUMNS} FROM preview_jobs WHERE card_id = ?`),
    leased: db.prepare<[number], Pick<JobRow, 'owner_id' | 'host'>>(
      'SELECT owner_id, host FROM preview_jobs WHERE lease_until > ?',
    ),
    hostStarts: db.prepare<[number], { host: string; started_at: number }>(
      'SELECT host, started_at FROM preview_host_starts WHERE started_at > ?',
    ),
    forgetHostStarts: db.prepare<[number]>('DELETE FROM preview_host_starts WHERE started_at <= ?'),
    noteHostStart: db.prepare<[string, number]>(
      `INSERT INTO preview_host_starts(host, started_at) VALUES (?, ?)
        ON CONFLICT(host) DO UPDATE SET started_at = excluded.started_at`,
    ),
    due: db.prepare<[{ now: number; busy_owners: string; busy_hosts: string; limit: number }], JobRow>(
      `SELECT ${JOB_COLUMNS} FROM preview_jobs
        WHERE run_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
          AND owner_id NOT IN (SELECT value FROM json_each(@busy_owners))
          AND host NOT IN (SELECT value FROM json_each(@busy_hosts))
        ORDER BY run_at LIMIT @limit`,
    ),
    lease: db.prepare<[{ card_id: string; generation: number; until: number }]>(
      'UPDATE preview_jobs SET lease_until = @until WHERE card_id = @card_id AND generation = @generation',
    ),
    retry: db.prepare<[{ card_id: string; generation: number; attempts: number; run_at: number; error: string }]>(
      `UPDATE preview_jobs SET attempts = @attempts, run_at = @run_at, lease_until = NULL, last_error = @error
        WHERE card_id = @card_id AND generation = @generation`,
    ),
    remove: db.prepare<[string, number]>('DELETE FROM preview_jobs WHERE card_id = ? AND generation = ?'),
    releaseLeases: db.prepare('UPDATE preview_jobs SET lease_until = NULL WHERE lease_until IS NOT NULL'),
    nextRunAt: db.prepare<[], number | null>('SELECT MIN(run_at) FROM preview_jobs').pluck(),
    count: db.prepare<[], number>('SELECT COUNT(*) FROM preview_jobs').pluck(),
    // A grant made again is dated again: the media reaper's grace counts from the last one.
    grantMedia: db.prepare<[string, string, number, number]>(
      `INSERT INTO media_owners(user_id, hash, bytes, created_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(user_id, hash) DO UPDATE SET bytes = excluded.bytes, created_at = excluded.created_at`,
    ),
    mediaBytes: db
      .prepare<[string], number>('SELECT COALESCE(SUM(bytes), 0) FROM media_owners WHERE user_id = ?')
      .pluck(),
    staleGrants: db.prepare<[number], { user_id: string; hash: string }>(
      'SELECT user_id, hash FROM media_owners WHERE created_at < ?',
    ),
    // The images the cards of the users with stale grants show, tombstones included (a restore brings them back).
    mediaInUse: db.prepare<[number], { owner_id: string; image: unknown; favicon: unknown }>(
      `SELECT owner_id, json_extract(fields, '$.image') AS image, json_extract(fields, '$.favicon') AS favicon
        FROM records WHERE tbl = 'cards'
          AND owner_id IN (SELECT DISTINCT user_id FROM media_owners WHERE created_at < ?)`,
    ),
    dropGrant: db.prepare<[string, string]>('DELETE FROM media_owners WHERE user_id = ? AND hash = ?'),
    confirmGrant: db.prepare<[number, string, string]>(
      'UPDATE media_owners SET created_at = ? WHERE user_id = ? AND hash = ?',
    ),
    isGranted: db.prepare<[string], number>('SELECT 1 FROM media_owners WHERE hash = ? LIMIT 1').pluck(),
    mayReadMedia: db
      .prepare<[string, string], number>('SELECT 1 FROM media_owners WHERE user_id = ? AND hash = ?')
      .pluck(),
  };
}

export type PreviewStatements = ReturnType<typeof preparePreviewStatements>;

export function rowToJob(row: JobRow): PreviewJob {
  return {
    cardId: row.card_id,
    ownerId: row.owner_id,
    url: row.url,
    host: row.host,
    generation: row.generation,
    attempts: row.attempts,
  };
}

/** A PreviewQueue for one transaction, stamping rows with that transaction's clock. */
export class SqlitePreviewQueue implements PreviewQueue {
  constructor(
    private readonly statements: PreviewStatements,
    private readonly now: number,
  ) {}

  enqueue(job: NewPreviewJob): void {
    this.statements.enqueue.run({
      card_id: job.cardId,
      owner_id: job.ownerId,
      url: job.url,
      host: job.host,
      now: this.now,
    });
  }

  find(cardId: string): PreviewJob | undefined {
    const row = this.statements.find.get(cardId);
    return row ? rowToJob(row) : undefined;
  }

  remove(cardId: string, generation: number): boolean {
    return this.statements.remove.run(cardId, generation).changes > 0;
  }

  grantMedia(userId: string, hash: string, bytes: number): void {
    this.statements.grantMedia.run(userId, hash, bytes, this.now);
  }
}
