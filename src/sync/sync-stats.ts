/**
 * The sync figures the sync panel shows, and their rollup: the last sync and its duration, what
 * was sent, received and failed on the person's local day, and the latency of each request over
 * the last hour. Pure: the engine adds each run of its loops, the store keeps the result.
 */

/** One request's round trip to the server, ended at `at` (ms since the epoch). */
export interface LatencySample {
  at: number;
  ms: number;
}

/** The figures as stored (one record per account database). */
export interface SyncStats {
  /** The last drain or pull that the server answered to the end, and how long it took. */
  lastSync: { at: number; durationMs: number } | null;
  /** The local day (YYYY-MM-DD) the day counters are of; another day starts them at 0. */
  day: string;
  /** Changes the server acknowledged on `day`. */
  sentToday: number;
  /** Changes made elsewhere (other devices, other clients, the server) that pulls brought on `day`. */
  receivedToday: number;
  /** Drains and pulls that ended in a failure on `day` (no answer, a refusal, a retry scheduled). */
  failuresToday: number;
  /** Oldest first: the samples of the last hour, at most MAX_LATENCY_SAMPLES (the newest). */
  latency: LatencySample[];
}

/** One run of a loop, as the engine saw it. */
export interface SyncRun {
  startedAt: number;
  endedAt: number;
  /** The server answered the run to its end (an empty outbox or a pull with nothing more). */
  completed: boolean;
  failed: boolean;
  sent: number;
  received: number;
  latency: LatencySample[];
}

export const LATENCY_WINDOW_MS = 60 * 60 * 1000;
/**
 * Bounds the stored record: a person typing steadily pushes about once a second, so an hour
 * could bring 3,600 samples; the newest 1,200 (about 30 KiB) draw the chart as well.
 */
export const MAX_LATENCY_SAMPLES = 1_200;

/** The person's local day of `at`, as YYYY-MM-DD (the device's time zone). */
export function localDayOf(at: number): string {
  const date = new Date(at);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function emptySyncStats(now: number): SyncStats {
  return { lastSync: null, day: localDayOf(now), sentToday: 0, receivedToday: 0, failuresToday: 0, latency: [] };
}

/**
 * The figures as of `now`: counters of an earlier day start again at 0, samples older than an
 * hour (or beyond the bound) are dropped. A stored value of an unknown shape counts as none.
 */
export function statsAsOf(stored: unknown, now: number): SyncStats {
  if (!isSyncStats(stored)) return emptySyncStats(now);
  const today = localDayOf(now);
  const counters =
    stored.day === today
      ? { sentToday: stored.sentToday, receivedToday: stored.receivedToday, failuresToday: stored.failuresToday }
      : { sentToday: 0, receivedToday: 0, failuresToday: 0 };
  const latency = stored.latency.filter((sample) => sample.at > now - LATENCY_WINDOW_MS && sample.at <= now);
  return { lastSync: stored.lastSync, day: today, ...counters, latency: latency.slice(-MAX_LATENCY_SAMPLES) };
}

/** Adds a run to the stored figures; the run counts on the day it ended. */
export function addRun(stored: unknown, run: SyncRun): SyncStats {
  const stats = statsAsOf(stored, run.endedAt);
  return statsAsOf(
    {
      lastSync: run.completed ? { at: run.endedAt, durationMs: run.endedAt - run.startedAt } : stats.lastSync,
      day: stats.day,
      sentToday: stats.sentToday + run.sent,
      receivedToday: stats.receivedToday + run.received,
      failuresToday: stats.failuresToday + (run.failed ? 1 : 0),
      latency: [...stats.latency, ...run.latency].sort((a, b) => a.at - b.at),
    },
    run.endedAt,
  );
}

/** Whether a run did anything worth keeping (a drain with an empty outbox sends nothing). */
export function runCounts(run: SyncRun): boolean {
  return run.completed || run.failed || run.latency.length > 0 || run.sent > 0 || run.received > 0;
}

/** The median and slowest of the samples (null when there are none). */
export function latencySummary(samples: LatencySample[]): { medianMs: number; slowestMs: number } | null {
  if (samples.length === 0) return null;
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { medianMs: Math.round(median), slowestMs: Math.round(sorted[sorted.length - 1]) };
}

/** The slowest sample of each of the hour's 60 minutes, oldest first (null: none that minute). */
export function slowestPerMinute(samples: LatencySample[], now: number): (number | null)[] {
  const minutes: (number | null)[] = new Array(60).fill(null);
  for (const sample of samples) {
    const age = now - sample.at;
    if (age < 0 || age >= LATENCY_WINDOW_MS) continue;
    const index = 59 - Math.floor(age / 60_000);
    minutes[index] = Math.max(minutes[index] ?? 0, sample.ms);
  }
  return minutes;
}

function isSyncStats(value: unknown): value is SyncStats {
  if (typeof value !== 'object' || value === null) return false;
  const stats = value as Partial<SyncStats>;
  return (
    typeof stats.day === 'string' &&
    typeof stats.sentToday === 'number' &&
    typeof stats.receivedToday === 'number' &&
    typeof stats.failuresToday === 'number' &&
    Array.isArray(stats.latency) &&
    (stats.lastSync === null || typeof stats.lastSync === 'object')
  );
}
