/** The sync panel's figures: the last sync, today's counts, and the latency of the last hour as a small chart. */
import { useEffect, useState } from 'preact/hooks';
import { type BurrowClient, latencySummary, type SyncStats, slowestPerMinute, statsAsOf } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { formatTime } from '../sync-words.ts';

/** How often the open panel moves its hour window and day along, with no sync to tell it. */
const REFRESH_MS = 30_000;

/** The figures, kept current from the engine's reports (null until the first read). */
function useSyncStats(client: BurrowClient): SyncStats | null {
  const [stats, setStats] = useState<SyncStats | null>(null);
  useEffect(() => {
    let active = true;
    const show = (next: SyncStats) => {
      if (active) setStats(statsAsOf(next, Date.now()));
    };
    void client.syncStats().then(show);
    const unsubscribe = client.onSyncStats(show);
    const timer = setInterval(() => setStats((current) => current && statsAsOf(current, Date.now())), REFRESH_MS);
    return () => {
      active = false;
      unsubscribe();
      clearInterval(timer);
    };
  }, [client]);
  return stats;
}

/** "240 ms", "1.4 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The latency chart's text, for everyone (it is the chart's accessible name too). */
export function describeLatency(stats: SyncStats): string {
  const summary = latencySummary(stats.latency);
  if (!summary) return 'No requests to the server in the last hour.';
  const requests = stats.latency.length === 1 ? '1 request' : `${stats.latency.length} requests`;
  return `Last hour: median ${formatDuration(summary.medianMs)}, slowest ${formatDuration(summary.slowestMs)} (${requests}).`;
}

export function SyncFigures() {
  const { client } = useApp();
  const stats = useSyncStats(client);
  if (!stats) return null;
  const { lastSync } = stats;
  return (
    <section aria-labelledby="figures-title" class="sync-figures">
      <h3 id="figures-title">Figures</h3>
      <dl class="figure-list">
        <div class="figure">
          <dt>Last sync</dt>
          <dd>{lastSync ? `${formatTime(lastSync.at)}, took ${formatDuration(lastSync.durationMs)}` : 'Not yet'}</dd>
        </div>
        <div class="figure">
          <dt>Sent today</dt>
          <dd>{stats.sentToday}</dd>
        </div>
        <div class="figure">
          <dt>Received today</dt>
          <dd>{stats.receivedToday}</dd>
        </div>
        <div class="figure">
          <dt>Failures today</dt>
          <dd>{stats.failuresToday}</dd>
        </div>
      </dl>
      <LatencyChart stats={stats} />
    </section>
  );
}

const CHART_WIDTH = 240;
const CHART_HEIGHT = 48;
const BAR_WIDTH = CHART_WIDTH / 60;

/** The slowest request of each minute of the last hour, oldest on the left; its words below it. */
function LatencyChart({ stats }: { stats: SyncStats }) {
  const words = describeLatency(stats);
  const minutes = slowestPerMinute(stats.latency, Date.now());
  const slowest = Math.max(1, ...minutes.map((ms) => ms ?? 0));
  return (
    <figure class="latency-chart">
      <svg
        viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Sync latency chart. ${words}`}
      >
        <line class="latency-axis" x1="0" y1={CHART_HEIGHT - 0.5} x2={CHART_WIDTH} y2={CHART_HEIGHT - 0.5} />
        {minutes.map((ms, minute) => {
          if (ms === null) return null;
          const height = Math.max(2, (ms / slowest) * (CHART_HEIGHT - 4));
          return (
            <rect
              key={minute}
              class="latency-bar"
              x={minute * BAR_WIDTH + 0.5}
              y={CHART_HEIGHT - height}
              width={BAR_WIDTH - 1}
              height={height}
            />
          );
        })}
      </svg>
      <div class="latency-scale" aria-hidden="true">
        <span>1 hour ago</span>
        <span>now</span>
      </div>
      <figcaption>{words}</figcaption>
    </figure>
  );
}
