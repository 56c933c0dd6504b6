import { describe, expect, it } from 'vitest';
import { Coalescer, Urgency } from './coalescer.ts';

/** A job the test finishes by hand, logging each run and each time the coalescer goes idle. */
function rig() {
  const log: string[] = [];
  const finishers: (() => void)[] = [];
  const coalescer = new Coalescer(
    (urgency) => {
      log.push(`run ${urgency}`);
      return new Promise<void>((resolve) => finishers.push(resolve));
    },
    () => log.push('idle'),
  );
  /** Ends the run under way and lets the coalescer take its next step. */
  const finish = async () => {
    finishers.shift()?.();
    for (let turn = 0; turn < 5; turn++) await Promise.resolve();
  };
  return { coalescer, log, finish };
}

describe('Coalescer', () => {
  describe('a request while idle', () => {
    it('runs the job once, then goes idle', async () => {
      const { coalescer, log, finish } = rig();
      const done = coalescer.request(Urgency.Normal);
      expect(coalescer.busy).toBe(true);
      await finish();
      await done;
      expect(log).toEqual([`run ${Urgency.Normal}`, 'idle']);
      expect(coalescer.busy).toBe(false);
    });
  });

  describe('requests while running', () => {
    it('cause one more run, at the strongest urgency asked', async () => {
      const { coalescer, log, finish } = rig();
      const first = coalescer.request(Urgency.Gentle);
      const second = coalescer.request(Urgency.Forced);
      const third = coalescer.request(Urgency.Normal);
      expect(coalescer.waiting(Urgency.Forced)).toBe(true);
      await finish();
      expect(coalescer.waiting(Urgency.Gentle)).toBe(false);
      await finish();
      await Promise.all([first, second, third]);
      expect(log).toEqual([`run ${Urgency.Gentle}`, `run ${Urgency.Forced}`, 'idle']);
    });

    it('resolve idle() with the run under way, asking for none', async () => {
      const { coalescer, log, finish } = rig();
      void coalescer.request();
      const idle = coalescer.idle();
      await finish();
      await idle;
      expect(log).toEqual([`run ${Urgency.Normal}`, 'idle']);
    });
  });

  describe('a job that rejects', () => {
    it('does not wedge it: the next request runs', async () => {
      const log: string[] = [];
      let fail = true;
      const coalescer = new Coalescer(async () => {
        log.push(fail ? 'fails' : 'runs');
        if (fail) throw new Error('a bug');
      });
      await coalescer.request();
      fail = false;
      await coalescer.request();
      expect(log).toEqual(['fails', 'runs']);
    });
  });
});
