import { describe, expect, it } from 'vitest';
import {
  addRun,
  emptySyncStats,
  LATENCY_WINDOW_MS,
  latencySummary,
  localDayOf,
  MAX_LATENCY_SAMPLES,
  type SyncRun,
  slowestPerMinute,
  statsAsOf,
} from './sync-stats.ts';

/** A local time (the device's zone), as the person's clock shows it. */
function localTime(day: number, hour: number, minute = 0): number {
  return new Date(2026, 11, day, hour, minute).getTime();
}

function run(endedAt: number, figures: Partial<SyncRun> = {}): SyncRun {
  return {
    startedAt: endedAt - 120,
    endedAt,
    completed: true,
    failed: false,
    sent: 0,
    received: 0,
    latency: [{ at: endedAt, ms: 100 }],
    ...figures,
  };
}

describe('sync stats', () => {
  describe('the day counters', () => {
    it('add up the runs of one local day', () => {
      let stats = addRun(undefined, run(localTime(7, 9), { sent: 3 }));
      stats = addRun(stats, run(localTime(7, 12), { received: 2 }));
      stats = addRun(stats, run(localTime(7, 18), { completed: false, failed: true, latency: [] }));
      expect(stats).toMatchObject({ day: '2026-12-07', sentToday: 3, receivedToday: 2, failuresToday: 1 });
    });

    it('start at 0 with a run just after local midnight', () => {
      const evening = addRun(undefined, run(localTime(7, 23, 59), { sent: 5, received: 4, failed: true }));
      const night = addRun(evening, run(localTime(8, 0, 1), { sent: 1 }));
      expect(night).toMatchObject({ day: '2026-12-08', sentToday: 1, receivedToday: 0, failuresToday: 0 });
    });

    it('read as 0 the next day even with no run since', () => {
      const yesterday = addRun(undefined, run(localTime(7, 20), { sent: 5 }));
      const shown = statsAsOf(yesterday, localTime(8, 8));
      expect(shown).toMatchObject({ day: '2026-12-08', sentToday: 0, receivedToday: 0, failuresToday: 0 });
      // The last sync is a moment, not a count of the day: it stays.
      expect(shown.lastSync).toEqual({ at: localTime(7, 20), durationMs: 120 });
    });

    it('name the local day, not the UTC one', () => {
      expect(localDayOf(localTime(7, 0, 30))).toBe('2026-12-07');
      expect(localDayOf(localTime(7, 23, 30))).toBe('2026-12-07');
    });
  });

  describe('the last sync', () => {
    it('is the last run the server answered to its end, with its duration', () => {
      let stats = addRun(undefined, run(localTime(7, 9), { startedAt: localTime(7, 9) - 250 }));
      stats = addRun(stats, run(localTime(7, 10), { completed: false, failed: true, latency: [] }));
      expect(stats.lastSync).toEqual({ at: localTime(7, 9), durationMs: 250 });
    });
  });

  describe('the latency of the last hour', () => {
    it('drops samples older than an hour', () => {
      const start = localTime(7, 9);
      let stats = addRun(undefined, run(start, { latency: [{ at: start, ms: 500 }] }));
      stats = addRun(stats, run(start + 30 * 60_000, { latency: [{ at: start + 30 * 60_000, ms: 40 }] }));
      expect(statsAsOf(stats, start + LATENCY_WINDOW_MS - 1).latency.map((sample) => sample.ms)).toEqual([500, 40]);
      expect(statsAsOf(stats, start + LATENCY_WINDOW_MS).latency.map((sample) => sample.ms)).toEqual([40]);
    });

    it('keeps at most the newest MAX_LATENCY_SAMPLES', () => {
      const start = localTime(7, 9);
      const many = Array.from({ length: MAX_LATENCY_SAMPLES + 300 }, (_, index) => ({ at: start + index, ms: index }));
      const stats = addRun(undefined, run(start + many.length, { latency: many }));
      expect(stats.latency).toHaveLength(MAX_LATENCY_SAMPLES);
      expect(stats.latency[0].ms).toBe(300);
      expect(stats.latency.at(-1)?.ms).toBe(many.length - 1);
    });

    it('sums up as median and slowest', () => {
      const at = localTime(7, 9);
      const samples = [30, 210, 40, 50].map((ms) => ({ at, ms }));
      expect(latencySummary(samples)).toEqual({ medianMs: 45, slowestMs: 210 });
      expect(latencySummary([])).toBeNull();
    });

    it('draws the slowest of each minute, oldest minute first', () => {
      const now = localTime(7, 10);
      const minutes = slowestPerMinute(
        [
          { at: now - 59 * 60_000 - 1, ms: 70 },
          { at: now - 10, ms: 20 },
          { at: now - 20, ms: 35 },
          { at: now - LATENCY_WINDOW_MS - 1, ms: 999 },
        ],
        now,
      );
      expect(minutes).toHaveLength(60);
      expect(minutes[0]).toBe(70);
      expect(minutes[59]).toBe(35);
      expect(minutes.filter((ms) => ms !== null)).toHaveLength(2);
    });
  });

  it('reads a stored value of an unknown shape as no figures', () => {
    const now = localTime(7, 9);
    expect(statsAsOf({ sent: 'many' }, now)).toEqual(emptySyncStats(now));
    expect(statsAsOf(undefined, now)).toEqual(emptySyncStats(now));
  });
});
