import { describe, expect, it } from 'vitest';
import {
  BUSY_COST_FACTOR,
  BUSY_UPDATE_INTERVAL_MS,
  listUpdateScheduler,
  MAX_BUSY_UPDATE_INTERVAL_MS,
  type SchedulerClock,
} from './list-update-scheduler.ts';

/** A clock whose timers and frames run only when told. */
function manualClock() {
  let now = 0;
  let timers: { at: number; callback: () => void }[] = [];
  let frames: (() => void)[] = [];
  let tasks: (() => void)[] = [];
  const clock: SchedulerClock = {
    now: () => now,
    setTimeout: (callback, ms) => timers.push({ at: now + ms, callback }),
    requestFrame: (callback) => frames.push(callback),
    nextTask: (callback) => tasks.push(callback),
  };
  return {
    clock,
    /** Time spent inside the current task (an update's work): no timer runs meanwhile. */
    spend(ms: number) {
      now += ms;
    },
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
      const next = tasks;
      tasks = [];
      for (const task of next) task();
    },
  };
}

/**
 * A scheduler on a manual clock, with the times at which the updates it was given started; each
 * update takes `cost` ms of its task.
 */
function scheduler(cost = 0) {
  const time = manualClock();
  const schedule = listUpdateScheduler(time.clock);
  const started: number[] = [];
  const update = () => {
    started.push(time.clock.now());
    time.spend(cost);
  };
  return { time, started, scheduleUpdate: () => schedule(update) };
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

  it('holds the next update of a burst for the cost factor times the last update, when that is longer', () => {
    const cost = 30;
    const { time, started, scheduleUpdate } = scheduler(cost);
    scheduleUpdate();
    time.drawFrame();
    scheduleUpdate();
    time.advance(BUSY_UPDATE_INTERVAL_MS);
    time.drawFrame();
    expect(started).toEqual([0]);
    time.advance(BUSY_COST_FACTOR * cost - BUSY_UPDATE_INTERVAL_MS - cost);
    time.drawFrame();
    expect(started).toEqual([0, BUSY_COST_FACTOR * cost]);
  });

  it('updates a costly list at least every MAX_BUSY_UPDATE_INTERVAL_MS', () => {
    const { time, started, scheduleUpdate } = scheduler(MAX_BUSY_UPDATE_INTERVAL_MS);
    scheduleUpdate();
    time.drawFrame();
    scheduleUpdate();
    time.advance(1);
    time.drawFrame();
    expect(started).toEqual([0, MAX_BUSY_UPDATE_INTERVAL_MS + 1]);
  });
});
