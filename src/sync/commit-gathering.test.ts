import { describe, expect, it } from 'vitest';
import {
  BURST_COMMITS,
  BURST_QUIET_MS,
  COMMIT_MAX_WAIT_MS,
  CommitGathering,
  GENTLE_YIELD_MAX_MS,
} from './commit-gathering.ts';
import { FakeClock, settle } from './fake-clock.test-helper.ts';

const QUIET_MS = 25;

/**
 * A gathering over a fake clock whose delegate logs each drain at its time; the test plays the
 * engine's work. Unless `quiet`, a commit led (and was drained) a millisecond before 0, so the
 * test's commits gather.
 */
async function rig({ quiet = false } = {}) {
  const clock = new FakeClock(quiet ? 0 : -1);
  const log: string[] = [];
  const work = { running: false, ended: () => {} };
  const gathering = new CommitGathering(
    {
      now: () => clock.now,
      timers: clock,
      working: () => work.running,
      idle: () => (work.running ? new Promise<void>((resolve) => (work.ended = resolve)) : Promise.resolve()),
      drain: async () => {
        log.push(`drain at ${clock.now}`);
      },
    },
    QUIET_MS,
  );
  /** The engine's database work, from now until `end()`. */
  const startWork = () => {
    work.running = true;
    return () => {
      work.running = false;
      gathering.workEnded();
      work.ended();
    };
  };
  if (!quiet) {
    await gathering.commit();
    await clock.advance(1);
    log.length = 0;
  }
  return { clock, log, gathering, startWork };
}

/** A gentle drain asking now resumes once QUIET_MS have passed since the last commit, not before. */
async function expectYieldUntilQuiet(clock: FakeClock, gathering: CommitGathering) {
  let resumed = false;
  void gathering
    .paused(() => true)
    .then(() => {
      resumed = true;
    });
  await clock.advance(QUIET_MS - 1);
  expect(resumed).toBe(false);
  await clock.advance(1);
  expect(resumed).toBe(true);
}

describe('CommitGathering', () => {
  describe('one commit', () => {
    it('asks for its drain once the quiet after it has passed, and resolves when it has run', async () => {
      const { clock, log, gathering } = await rig();
      let drained = false;
      void gathering.commit().then(() => {
        drained = true;
      });
      await clock.advance(QUIET_MS - 1);
      expect(log).toEqual([]);
      expect(gathering.pending()).not.toBeNull();
      await clock.advance(1);
      expect(log).toEqual([`drain at ${QUIET_MS}`]);
      expect(drained).toBe(true);
      expect(gathering.pending()).toBeNull();
    });
  });

  describe('a commit after quiet', () => {
    it('asks for its drain at once, which the commits made while it runs wait for', async () => {
      const { clock, log, gathering } = await rig({ quiet: true });
      const leading = gathering.commit();
      expect(log).toEqual(['drain at 0']);
      expect(gathering.pending()).toBe(leading);
      await leading;
      expect(gathering.pending()).toBeNull();
      await clock.advance(QUIET_MS);
      void gathering.commit();
      expect(log).toEqual(['drain at 0', `drain at ${QUIET_MS}`]);
    });

    it('gathers instead when it comes less than the quiet after the last commit', async () => {
      const { clock, log, gathering } = await rig({ quiet: true });
      await gathering.commit();
      await clock.advance(QUIET_MS - 1);
      void gathering.commit();
      expect(log).toEqual(['drain at 0']);
      await clock.advance(QUIET_MS);
      expect(log).toEqual(['drain at 0', `drain at ${2 * QUIET_MS - 1}`]);
    });

    it("leads even right after the engine's work: the quiet that counts is the person's", async () => {
      const { clock, log, gathering, startWork } = await rig({ quiet: true });
      const endWork = startWork();
      await clock.advance(QUIET_MS);
      endWork();
      void gathering.commit();
      expect(log).toEqual([`drain at ${QUIET_MS}`]);
    });

    it('lets its gentle drain go on at once while nothing follows it, and yield once something does', async () => {
      const { clock, gathering } = await rig({ quiet: true });
      void gathering.commit();
      await gathering.paused(() => true);
      void gathering.commit(); // within the quiet after the first: it gathers
      await expectYieldUntilQuiet(clock, gathering);
    });
  });

  describe('commits in a row', () => {
    it('wait for a pause after the last, with one drain for all of them', async () => {
      const { clock, log, gathering } = await rig();
      const waits = [];
      for (let i = 0; i < 3; i++) {
        waits.push(gathering.commit());
        await clock.advance(10);
      }
      expect(clock.pendingDelays()).toEqual([QUIET_MS - 10]);
      await clock.advance(QUIET_MS);
      await Promise.all(waits);
      expect(log).toEqual([`drain at ${20 + QUIET_MS}`]);
    });

    it('never wait longer than COMMIT_MAX_WAIT_MS after the first', async () => {
      const { clock, log, gathering } = await rig();
      while (log.length === 0) {
        void gathering.commit();
        await clock.advance(QUIET_MS - 5);
      }
      expect(log).toEqual([`drain at ${COMMIT_MAX_WAIT_MS}`]);
    });

    it('of BURST_COMMITS or more need BURST_QUIET_MS of quiet to end', async () => {
      const { clock, log, gathering } = await rig();
      for (let i = 0; i < BURST_COMMITS; i++) {
        void gathering.commit();
        await clock.advance(2);
      }
      expect(clock.pendingDelays()).toEqual([BURST_QUIET_MS - 2]);
      await clock.advance(BURST_QUIET_MS);
      expect(log).toEqual([`drain at ${2 * (BURST_COMMITS - 1) + BURST_QUIET_MS}`]);
    });
  });

  describe("the engine's own work", () => {
    it('holds a due gathering until the quiet after the work, as long again as it held the commit back', async () => {
      const { clock, log, gathering, startWork } = await rig();
      void gathering.commit();
      const endWork = startWork();
      await clock.advance(QUIET_MS); // due while the work runs: re-armed for the cap
      expect(clock.pendingDelays()).toEqual([COMMIT_MAX_WAIT_MS - QUIET_MS]);
      await clock.advance(15);
      endWork(); // the commit was held back 40 ms
      await settle();
      expect(clock.pendingDelays()).toEqual([40]);
      await clock.advance(40);
      expect(log).toEqual([`drain at ${QUIET_MS + 15 + 40}`]);
    });

    it('re-arms a timer that fires too soon after work that ended meanwhile', async () => {
      const { clock, log, gathering, startWork } = await rig();
      const endWork = startWork();
      void gathering.commit(); // armed for its quiet, the work not counted yet
      await clock.advance(10);
      endWork(); // ended 10 ms after the commit: the quiet now ends 10 + 25 ms after it
      await clock.advance(QUIET_MS - 10);
      expect(log).toEqual([]);
      await clock.advance(10);
      expect(log).toEqual([`drain at ${10 + QUIET_MS}`]);
    });

    it('does not hold the gathering past the cap', async () => {
      const { clock, log, gathering, startWork } = await rig();
      void gathering.commit();
      startWork();
      await clock.advance(COMMIT_MAX_WAIT_MS);
      expect(log).toEqual([`drain at ${COMMIT_MAX_WAIT_MS}`]);
    });
  });

  describe('paused()', () => {
    it('resolves once the quiet after the last commit has passed', async () => {
      const { clock, gathering } = await rig();
      void gathering.commit();
      await expectYieldUntilQuiet(clock, gathering);
    });

    it('resolves after GENTLE_YIELD_MAX_MS however the commits go on', async () => {
      const { clock, gathering } = await rig();
      void gathering.commit();
      let resumedAt: number | null = null;
      void gathering
        .paused(() => true)
        .then(() => {
          resumedAt = clock.now;
        });
      while (resumedAt === null) {
        void gathering.commit();
        await clock.advance(20);
      }
      expect(resumedAt).toBe(GENTLE_YIELD_MAX_MS);
    });

    it('resolves at once for a drain that is not gentle', async () => {
      const { gathering } = await rig();
      void gathering.commit();
      let resumed = false;
      void gathering
        .paused(() => false)
        .then(() => {
          resumed = true;
        });
      await settle();
      expect(resumed).toBe(true);
    });
  });

  describe('stop()', () => {
    it('releases whoever waits, without a drain, and leaves no timer', async () => {
      const { clock, log, gathering } = await rig();
      const waiting = gathering.commit();
      gathering.stop();
      await waiting;
      expect(clock.pendingDelays()).toEqual([]);
      expect(log).toEqual([]);
    });
  });
});
