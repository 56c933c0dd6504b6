import { describe, expect, it } from 'vitest';
import { BUSY_UPDATE_INTERVAL_MS, listUpdateScheduler, type SchedulerClock } from './list-update-scheduler.ts';

/** A clock whose timers and frames run only when told. */
function manualClock() {
  let now = 0;
  let timers: { at: number; callback: () => void }[] = [];
  let frames: (() => void)[] = [];
  const clock: SchedulerClock = {
    now: () => now,
    setTimeout: (callback, ms) => timers.push({ at: now + ms, callback }),
    requestFrame: (callback) => frames.push(callback),
  };
  return {
    clock,
    /** Moves time on, running the timers due by then. */
    advance(ms: number) {
      now += ms;
      const due = timers.filter((timer) => timer.at <= now);
      timers = timers.filter((timer) => timer.at > now);
      for (const timer of due) timer.callback();
    },
    drawFrame() {
      const due = frames;
      frames = [];
      for (const frame of due) frame();
    },
  };
}

/** A scheduler on a manual clock, with the times at which the updates it was given started. */
function scheduler() {
  const time = manualClock();
  const schedule = listUpdateScheduler(time.clock);
  const started: number[] = [];
  return { time, started, scheduleUpdate: () => schedule(() => started.push(time.clock.now())) };
}

describe('listUpdateScheduler', () => {
  it('starts an update after a pause before the next frame, once', () => {
    const { time, started, scheduleUpdate } = scheduler();
    scheduleUpdate();
    expect(started).toEqual([]);
    time.advance(5);
    time.drawFrame();
    time.advance(200); // the no-frame fallback does not start it again
    expect(started).toEqual([5]);
  });

  it('starts an update without frames (a hidden tab) after the fallback', () => {
    const { time, started, scheduleUpdate } = scheduler();
    scheduleUpdate();
    time.advance(100);
    expect(started).toEqual([100]);
  });

  it('holds the next update of a burst until the interval since the last start has passed', () => {
    const { time, started, scheduleUpdate } = scheduler();
    scheduleUpdate();
    time.drawFrame();
    time.advance(16);
    scheduleUpdate();
    time.drawFrame(); // a frame inside the interval does not start it
    expect(started).toEqual([0]);
    time.advance(BUSY_UPDATE_INTERVAL_MS - 16);
    time.drawFrame();
    expect(started).toEqual([0, BUSY_UPDATE_INTERVAL_MS]);
  });
});
