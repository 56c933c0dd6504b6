/**
 * A watch on PostgreSQL's NOTIFY queue. Every process LISTENs for commits; one that stops reading
 * (a stopped or wedged process still connected) makes the queue grow, and once it is full every
 * transaction that notifies fails at commit: one stuck listener would stop all writes. So the
 * queue's use is read every few seconds; above `NOTIFY_WARN_AT` it is reported, and above
 * `NOTIFY_PAUSE_AT` commits stop notifying (writes go on; streams on other processes then learn
 * of changes from their clients' periodic sync). When it falls back, one notice pokes every
 * stream of every process with the latest cursor, as after a listener's reconnect.
 */

/** Reported above this share of the queue (PostgreSQL itself logs a warning from half full). */
export const NOTIFY_WARN_AT = 0.5;
/** Commits stop notifying above this share, well before a full queue fails them. */
export const NOTIFY_PAUSE_AT = 0.9;
/** How often the queue's use is read. */
export const NOTIFY_QUEUE_CHECK_MS = 5000;

export type NotifyQueueLevel = 'ok' | 'warn' | 'paused';

export interface NotifyQueueDeps {
  /** The queue's use, 0–1 (`pg_notification_queue_usage()`). */
  readUsage(): Promise<number>;
  /** The level changed: log it. */
  report(level: NotifyQueueLevel, usage: number): void;
  /** Notifying resumed after a pause: poke every process's streams. */
  resumed(): Promise<void>;
}

export function levelOf(usage: number): NotifyQueueLevel {
  if (usage >= NOTIFY_PAUSE_AT) return 'paused';
  return usage >= NOTIFY_WARN_AT ? 'warn' : 'ok';
}

export class NotifyQueueWatch {
  private level: NotifyQueueLevel = 'ok';
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly deps: NotifyQueueDeps) {}

  /** Whether commits notify now. */
  notifies(): boolean {
    return this.level !== 'paused';
  }

  start(intervalMs = NOTIFY_QUEUE_CHECK_MS): void {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the queue's use once and acts on a change of level; a failed read changes nothing. */
  async check(): Promise<void> {
    let usage: number;
    try {
      usage = await this.deps.readUsage();
    } catch {
      return;
    }
    const level = levelOf(usage);
    if (level === this.level) return;
    const wasPaused = this.level === 'paused';
    this.level = level;
    this.deps.report(level, usage);
    if (wasPaused) await this.deps.resumed().catch(() => undefined);
  }
}
