/**
 * The preview job queue and media grants over PostgreSQL (tables `preview_jobs`, `media_owners`,
 * migration 002): the runner's claims, retries and reads as plain statements. What a write does
 * to the queue (queue, remove, grant) goes through the working set and `flush-writes.ts`.
 */
import { mediaReferenceKey, mediaReferences } from '../../previews/media-references.ts';
import { busyKeys, CLAIM_CANDIDATES_PER_JOB, pickJobs } from '../../previews/preview-policy.ts';
import type { PreviewJob } from '../../previews/preview-queue.ts';
import type { PreviewClaim } from '../store.ts';
import { LOCK_NAMESPACE, LOCKS } from './advisory-locks.ts';
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
 * Takes due jobs within the limits of every process's runners: under the preview-claims
 * advisory lock (one claim at a time over the database), reads the jobs leased now and the
 * hosts started within the gap, picks (`pickJobs`), leases and notes the hosts, then commits.
 * Without the lock two processes' claims read the same state and each took a slot that was
 * only one. `SKIP LOCKED` still passes over rows another transaction holds (a settle).
 */
export async function claimJobs(sql: Sql, claim: PreviewClaim): Promise<PreviewJob[]> {
  const { now, limits } = claim;
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, ${LOCKS.previewClaims}::int)`;
    const leased = await tx<Pick<PgJobRow, 'owner_id' | 'host'>[]>`
      SELECT owner_id, host FROM preview_jobs WHERE lease_until > ${now}`;
    const running = leased.map((row) => ({ ownerId: row.owner_id, host: row.host }));
    if (running.length >= limits.globalConcurrency) return [];
    await tx`DELETE FROM preview_host_starts WHERE started_at <= ${now - limits.hostGapMs}`;
    const starts = await tx<{ host: string; started_at: number }[]>`
      SELECT host, started_at FROM preview_host_starts`;
    const hostStarts = new Map(starts.map((row) => [row.host, row.started_at]));
    const busy = busyKeys(running, hostStarts, now, limits);
    const rows = await tx<PgJobRow[]>`
      SELECT card_id, owner_id, url, host, generation, attempts FROM preview_jobs
        WHERE run_at <= ${now} AND (lease_until IS NULL OR lease_until <= ${now})
          AND owner_id <> ALL(${busy.busyOwners}::text[]) AND host <> ALL(${busy.busyHosts}::text[])
        ORDER BY run_at LIMIT ${claim.limit * CLAIM_CANDIDATES_PER_JOB} FOR UPDATE SKIP LOCKED`;
    const picked = pickJobs(rows.map(rowToJob), running, hostStarts, now, limits, claim.limit);
    for (const job of picked) {
      await tx`UPDATE preview_jobs SET lease_until = ${now + claim.leaseMs}
        WHERE card_id = ${job.cardId} AND generation = ${job.generation}`;
      await tx`INSERT INTO preview_host_starts(host, started_at) VALUES (${job.host}, ${now})
        ON CONFLICT (host) DO UPDATE SET started_at = excluded.started_at`;
    }
    return picked;
  }) as Promise<PreviewJob[]>;
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

export async function mediaBytes(sql: Sql, userId: string): Promise<number> {
  const [row] = await sql<{ bytes: number }[]>`
    SELECT COALESCE(SUM(bytes), 0)::bigint AS bytes FROM media_owners WHERE user_id = ${userId}`;
  return row.bytes;
}

/** Drops stale grants no card of their user refers to, dates the rest `now` (see `Store.reapMediaGrants`). */
export async function reapMediaGrants(sql: Sql, before: number, now: number): Promise<number> {
  return sql.begin(async (tx) => {
    const stale = await tx<{ user_id: string; hash: string }[]>`
      SELECT user_id, hash FROM media_owners WHERE created_at < ${before} FOR UPDATE`;
    if (stale.length === 0) return 0;
    const rows = await tx<{ owner_id: string; image: unknown; favicon: unknown }[]>`
      SELECT owner_id, fields::jsonb->>'image' AS image, fields::jsonb->>'favicon' AS favicon
        FROM records WHERE tbl = 'cards'
          AND owner_id IN (SELECT DISTINCT user_id FROM media_owners WHERE created_at < ${before})`;
    const inUse = mediaReferences(rows);
    const gone = stale.filter((grant) => !inUse.has(mediaReferenceKey(grant.user_id, grant.hash)));
    const kept = stale.filter((grant) => inUse.has(mediaReferenceKey(grant.user_id, grant.hash)));
    if (kept.length > 0) {
      await tx`UPDATE media_owners SET created_at = ${now}
        FROM unnest(${kept.map((grant) => grant.user_id)}::text[], ${kept.map((grant) => grant.hash)}::text[]) AS v(user_id, hash)
        WHERE media_owners.user_id = v.user_id AND media_owners.hash = v.hash`;
    }
    if (gone.length === 0) return 0;
    const deleted = await tx`DELETE FROM media_owners USING
        unnest(${gone.map((grant) => grant.user_id)}::text[], ${gone.map((grant) => grant.hash)}::text[]) AS v(user_id, hash)
      WHERE media_owners.user_id = v.user_id AND media_owners.hash = v.hash`;
    return deleted.count;
  }) as Promise<number>;
}

/** Which of `hashes` some user is still granted. */
export async function grantedMedia(sql: Sql, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await sql<{ hash: string }[]>`
    SELECT DISTINCT hash FROM media_owners WHERE hash = ANY(${hashes}::text[])`;
  return new Set(rows.map((row) => row.hash));
}
