/**
 * The preview job queue and media grants over PostgreSQL (tables `preview_jobs`, `media_owners`,
 * migration 002): the runner's claims, retries and reads as plain statements. What a write does
 * to the queue (queue, remove, grant) goes through the working set and `flush-writes.ts`.
 */
import type { PreviewJob } from '../../previews/preview-queue.ts';
import type { PreviewClaim } from '../store.ts';
import type { Sql } from './connect.ts';

export interface PgJobRow {
  card_id: string;
  owner_id: string;
  url: string;
  host: string;
  generation: number;
  attempts: number;
}

export const JOB_COLUMNS = 'card_id, owner_id, url, host, generation, attempts';

export function rowToJob(row: PgJobRow): PreviewJob {
  return {
    cardId: row.card_id,
    ownerId: row.owner_id,
    url: row.url,
    host: row.host,
    generation: row.generation,
    attempts: row.attempts,
  };
}

/**
 * Takes due jobs no runner holds, oldest first, skipping busy owners and hosts, and leases them
 * in one statement: with `SKIP LOCKED` the runners of several processes claim at once without
 * waiting on each other or taking one job twice.
 */
export async function claimJobs(sql: Sql, claim: PreviewClaim): Promise<PreviewJob[]> {
  const rows = await sql<(PgJobRow & { run_at: number })[]>`
    UPDATE preview_jobs SET lease_until = ${claim.now + claim.leaseMs}
      WHERE card_id IN (
        SELECT card_id FROM preview_jobs
          WHERE run_at <= ${claim.now} AND (lease_until IS NULL OR lease_until <= ${claim.now})
            AND owner_id <> ALL(${claim.busyOwners}::text[]) AND host <> ALL(${claim.busyHosts}::text[])
          ORDER BY run_at LIMIT ${claim.limit} FOR UPDATE SKIP LOCKED)
      RETURNING card_id, owner_id, url, host, generation, attempts, run_at`;
  return [...rows].sort((a, b) => a.run_at - b.run_at).map(rowToJob);
}

/** Schedules a job's next attempt, unless a newer request replaced it. */
export async function retryJob(sql: Sql, job: PreviewJob, runAt: number, error: string): Promise<void> {
  await sql`UPDATE preview_jobs SET attempts = ${job.attempts + 1}, run_at = ${runAt}, lease_until = NULL,
      last_error = ${error}
    WHERE card_id = ${job.cardId} AND generation = ${job.generation}`;
}

export async function releaseLeases(sql: Sql): Promise<number> {
  return (await sql`UPDATE preview_jobs SET lease_until = NULL WHERE lease_until IS NOT NULL`).count;
}

export async function nextRunAt(sql: Sql): Promise<number | null> {
  const [row] = await sql<{ next: number | null }[]>`SELECT min(run_at) AS next FROM preview_jobs`;
  return row.next;
}

export async function mayReadMedia(sql: Sql, userId: string, hash: string): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM media_owners WHERE user_id = ${userId} AND hash = ${hash}`;
  return rows.length > 0;
}
