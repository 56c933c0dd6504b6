/** When a live list applies what changed: before the next frame, and at a slower pace while changes keep coming. */

/** While changes keep coming, a list updates at most this often... */
export const BUSY_UPDATE_INTERVAL_MS = 100;

/** ...or, when its updates are costly, at most once per this many times an update's cost... */
export const BUSY_COST_FACTOR = 10;

/** ...but at least this often. */
export const MAX_BUSY_UPDATE_INTERVAL_MS = 2_000;

/** How long to wait for a frame before updating anyway (a hidden tab draws none). */
const FRAME_FALLBACK_MS = 100;

export interface SchedulerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  requestFrame(callback: () => void): unknown;
  /** Runs `callback` in a later task, unthrottled (hidden tabs slow their timers to 1 s). */
  nextTask(callback: () => void): void;
}

const browserClock: SchedulerClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  requestFrame: (callback) => requestAnimationFrame(callback),
  nextTask: (callback) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      callback();
    };
    channel.port2.postMessage(null);
  },
};

/**
 * A scheduler for one live list. A change after a pause is shown before the next frame is drawn;
 * during a burst (a script's commits, a long drain or sync) the list updates at most every
 * BUSY_UPDATE_INTERVAL_MS, or BUSY_COST_FACTOR times the last update's cost when that is longer.
 * Updating on every frame of a burst of 300 commits a second kept the page's main thread busy
 * enough (patching 10,000 cards, a render, their garbage) to hold up the commits themselves; and
 * an initial sync's pages of 5,000 records cost a list nearing 100,000 about 100 ms each to patch
 * and draw, on the two cores the sync itself runs on.
 */
export function listUpdateScheduler(clock: SchedulerClock = browserClock): (start: () => void) => void {
  let lastStartedAt = Number.NEGATIVE_INFINITY;
  let interval = BUSY_UPDATE_INTERVAL_MS;
  const begin = (start: () => void) => () => {
    const startedAt = clock.now();
    lastStartedAt = startedAt;
    start();
    // The update's patching and drawing are done by the next task: its cost sets the pace.
    clock.nextTask(() => {
      const cost = clock.now() - startedAt;
      interval = Math.min(MAX_BUSY_UPDATE_INTERVAL_MS, Math.max(BUSY_UPDATE_INTERVAL_MS, BUSY_COST_FACTOR * cost));
    });
  };
  return (start) => {
    const wait = lastStartedAt + interval - clock.now();
    if (wait <= 0) beforeNextFrame(clock, begin(start));
    else clock.setTimeout(() => beforeNextFrame(clock, begin(start)), wait);
  };
}

/** Runs `start` once: before the next frame, or after FRAME_FALLBACK_MS when none comes. */
function beforeNextFrame(clock: SchedulerClock, start: () => void): void {
  let started = false;
  const once = () => {
    if (started) return;
    started = true;
    start();
  };
  clock.requestFrame(once);
  clock.setTimeout(once, FRAME_FALLBACK_MS);
}
