/** The rules of the preview queue, apart from storage: limits, pacing, politeness per host, backoff. */
import type { PreviewJob } from './preview-queue.ts';

export interface PreviewPolicy {
  /** Fetches at once over the whole server. */
  globalConcurrency: number;
  /** Fetches at once for one person: a 5,000-link import leaves room for everybody else. */
  perUserConcurrency: number;
  /** Least time between two fetches starting on one host (and one at a time per host). */
  hostGapMs: number;
  /** Least time between two fetches starting anywhere: a steady pace, never a burst. */
  startIntervalMs: number;
  /** Attempts of a job that keeps failing transiently before it is marked failed. */
  maxAttempts: number;
  /** First retry delay; each later one is four times longer, up to `retryCapMs`, jittered. */
  retryBaseMs: number;
  retryCapMs: number;
  /** How long a runner holds a job: longer than a job can take (three 10 s fetches and a reading). */
  leaseMs: number;
  /** How often an idle runner looks for due jobs that no commit announced (retries coming due). */
  idlePollMs: number;
}

export const DEFAULT_PREVIEW_POLICY: PreviewPolicy = {
  globalConcurrency: 4,
  perUserConcurrency: 2,
  hostGapMs: 1000,
  startIntervalMs: 200,
  maxAttempts: 4,
  retryBaseMs: 30_000,
  retryCapMs: 30 * 60_000,
  leaseMs: 2 * 60_000,
  idlePollMs: 5_000,
};

/** The delay before attempt `failedAttempts + 1`: base × 4^(failed − 1), capped, times 0.5–1 (`random` in [0, 1)). */
export function retryDelay(failedAttempts: number, policy: PreviewPolicy, random: number): number {
  const delay = Math.min(policy.retryCapMs, policy.retryBaseMs * 4 ** Math.max(0, failedAttempts - 1));
  return Math.round(delay * (0.5 + random / 2));
}

/** Whether a job that just failed transiently gets another attempt. */
export function mayRetry(job: PreviewJob, policy: PreviewPolicy): boolean {
  return job.attempts + 1 < policy.maxAttempts;
}

/** Due jobs a claim reads per job it may take: those past the busy lists, some of one owner or host. */
export const CLAIM_CANDIDATES_PER_JOB = 4;

/** The limits a claim keeps over every runner that shares the database (each process runs one). */
export type ClaimLimits = Pick<PreviewPolicy, 'globalConcurrency' | 'perUserConcurrency' | 'hostGapMs'>;

/** A job as the limits see it: whose, and on which host. */
type Keyed = Pick<PreviewJob, 'ownerId' | 'host'>;

/** Owners at their limit and hosts busy or fetched from too recently: what the next claim skips. */
export function busyKeys(
  running: readonly Keyed[],
  hostStarts: ReadonlyMap<string, number>,
  now: number,
  policy: Pick<ClaimLimits, 'perUserConcurrency' | 'hostGapMs'>,
): { busyOwners: string[]; busyHosts: string[] } {
  const perOwner = new Map<string, number>();
  for (const job of running) perOwner.set(job.ownerId, (perOwner.get(job.ownerId) ?? 0) + 1);
  const busyOwners = [...perOwner].filter(([, count]) => count >= policy.perUserConcurrency).map(([owner]) => owner);
  const busyHosts = new Set(running.map((job) => job.host));
  for (const [host, startedAt] of hostStarts) if (now - startedAt < policy.hostGapMs) busyHosts.add(host);
  return { busyOwners, busyHosts: [...busyHosts] };
}

/**
 * Of `candidates` (due jobs, oldest first), those a claim of at most `limit` takes while every
 * limit holds with the jobs `running` (leased by any runner) and the hosts started within the
 * gap: the whole server's limits, read from the database in the claim's transaction.
 */
export function pickJobs<J extends Keyed>(
  candidates: readonly J[],
  running: readonly Keyed[],
  hostStarts: ReadonlyMap<string, number>,
  now: number,
  limits: ClaimLimits,
  limit: number,
): J[] {
  const { busyOwners, busyHosts } = busyKeys(running, hostStarts, now, limits);
  const perOwner = new Map<string, number>();
  for (const job of running) perOwner.set(job.ownerId, (perOwner.get(job.ownerId) ?? 0) + 1);
  const hosts = new Set(busyHosts);
  const owners = new Set(busyOwners);
  const picked: J[] = [];
  for (const job of candidates) {
    if (picked.length >= limit || running.length + picked.length >= limits.globalConcurrency) break;
    if (hosts.has(job.host) || owners.has(job.ownerId)) continue;
    picked.push(job);
    hosts.add(job.host);
    const count = (perOwner.get(job.ownerId) ?? 0) + 1;
    perOwner.set(job.ownerId, count);
    if (count >= limits.perUserConcurrency) owners.add(job.ownerId);
  }
  return picked;
}
