import { describe, expect, it } from 'vitest';
import type { ActiveStore } from '../store/account-directory.ts';
import type { StoreCounts, SyncStore } from '../store/types.ts';
import { settle } from './fake-clock.test-helper.ts';
import { StatusReporter } from './status-reporter.ts';
import type { SyncFacts } from './sync-status.ts';

const COUNTS: StoreCounts = {
  pending: 0,
  retrying: 0,
  failed: 0,
  conflicts: 0,
  nextAttemptAt: null,
  lastError: null,
  cursor: 7,
  lastSyncAt: null,
};

const FACTS: Omit<SyncFacts, 'signedIn'> = {
  paused: false,
  online: true,
  lastDrain: null,
  pullError: null,
  unreachable: false,
  throttled: false,
  busy: false,
  initialSync: null,
};

/**
 * A reporter whose delegate logs what it does: each read of the counts (held until the test
 * answers it), each status published, each read's end.
 */
function rig() {
  const log: string[] = [];
  const answers: ((counts: StoreCounts) => void)[] = [];
  const store = {
    name: 'burrow-user-1',
    counts: () => {
      log.push('read');
      return new Promise<StoreCounts>((resolve) => answers.push(resolve));
    },
  } as unknown as SyncStore;
  const active: ActiveStore = { store, signedIn: true };
  let opened = false;
  const reporter = new StatusReporter({
    openActive: async () => {
      opened = true;
      return active;
    },
    active: () => (opened ? active : null),
    facts: (signedIn) => ({ signedIn, ...FACTS }),
    publish: (status, database) => log.push(`publish ${status.state} ${status.pending} to ${database}`),
    readEnded: () => log.push('read ended'),
  });
  /** Answers the oldest read waiting with `counts`. */
  const answer = async (counts: Partial<StoreCounts> = {}) => {
    answers.shift()?.({ ...COUNTS, ...counts });
    await settle();
  };
  /** A first read answered with `counts`, and the log cleared after it. */
  const readOnce = async (counts: Partial<StoreCounts> = {}) => {
    const refreshed = reporter.refresh();
    await settle();
    await answer(counts);
    await refreshed;
    log.length = 0;
  };
  return { reporter, log, answer, readOnce };
}

describe('StatusReporter', () => {
  describe('refresh()', () => {
    it('reads the counts and publishes the status made of them', async () => {
      const { reporter, log, answer } = rig();
      const refreshed = reporter.refresh();
      await settle();
      await answer({ pending: 2 });
      expect(await refreshed).toMatchObject({ state: 'syncing', pending: 2, cursor: 7 });
      expect(log).toEqual(['read', 'publish syncing 2 to burrow-user-1', 'read ended']);
    });

    it('publishes nothing when the status did not change', async () => {
      const { reporter, log, answer, readOnce } = rig();
      await readOnce();
      const again = reporter.refresh();
      await settle();
      await answer();
      await again;
      expect(log).toEqual(['read', 'read ended']);
    });

    it('reads one at a time: refreshes asked meanwhile share one more read', async () => {
      const { reporter, log, answer } = rig();
      const refreshes = [reporter.refresh(), reporter.refresh(), reporter.refresh()];
      await settle();
      await answer({ pending: 1 });
      await answer({ pending: 3 });
      await Promise.all(refreshes);
      expect(log).toEqual([
        'read',
        'publish syncing 1 to burrow-user-1',
        'read',
        'publish syncing 3 to burrow-user-1',
        'read ended',
      ]);
      expect(reporter.status().pending).toBe(3);
    });
  });

  describe('from(counts)', () => {
    it('publishes counts a loop read with its results, without a read of its own', async () => {
      const { reporter, log, readOnce } = rig();
      await readOnce();
      await reporter.from({ ...COUNTS, pending: 4 });
      expect(log).toEqual(['publish syncing 4 to burrow-user-1']);
    });

    it('reads when given none, or before the store is open', async () => {
      const { reporter, log, answer } = rig();
      const told = reporter.from({ ...COUNTS, pending: 4 });
      await settle();
      expect(log).toEqual(['read']);
      await answer({ pending: 5 });
      await told;
      expect(reporter.status().pending).toBe(5);
    });

    it('reads again when a read is under way: that read may be older than the counts', async () => {
      const { reporter, log, answer, readOnce } = rig();
      await readOnce();
      const reading = reporter.refresh();
      await settle();
      const told = reporter.from({ ...COUNTS, pending: 4 });
      await answer({ pending: 9 });
      await answer({ pending: 4 });
      await Promise.all([reading, told]);
      expect(log).toEqual([
        'read',
        'publish syncing 9 to burrow-user-1',
        'read',
        'publish syncing 4 to burrow-user-1',
        'read ended',
      ]);
    });
  });
});
