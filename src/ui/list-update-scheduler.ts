/** When a live list applies what changed: before the next frame, and at a slower pace while changes keep coming. */

/** While changes keep coming, a list updates at most this often. */
export const BUSY_UPDATE_INTERVAL_MS = 100;

/** How long to wait for a frame before updating anyway (a hidden tab draws none). */
const FRAME_FALLBACK_MS = 100;

export interface SchedulerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  requestFrame(callback: () => void): unknown;
}

const browserClock: SchedulerClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  requestFrame: (callback) => requestAnimationFrame(callback),
};

/**
 * A scheduler for one live list. A change after a pause is shown before the next frame is drawn;
 * during a burst (a script's commits, a long drain or sync) the list updates at most every
 * BUSY_UPDATE_INTERVAL_MS. Updating on every frame of a burst of 300 commits a second kept the
 * page's main thread busy enough (patching 10,000 cards, a render, their garbage) to hold up the
 * commits themselves.
 */
export function listUpdateScheduler(clock: SchedulerClock = browserClock): (start: () => void) => void {
  let lastStartedAt = Number.NEGATIVE_INFINITY;
  const begin = (start: () => void) => () => {
    lastStartedAt = clock.now();
    start();
  };
  return (start) => {
    const wait = lastStartedAt + BUSY_UPDATE_INTERVAL_MS - clock.now();
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
