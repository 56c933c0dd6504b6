import { describe, expect, it } from 'vitest';
import type { StoreCounts } from '../store/types.ts';
import { type SyncFacts, statusOf } from './sync-status.ts';

const COUNTS: StoreCounts = {
  pending: 0,
  retrying: 0,
  failed: 0,
  conflicts: 0,
  nextAttemptAt: 5_000,
  lastError: 'HTTP 503 internal',
  cursor: 3,
  lastSyncAt: '2026-01-01T00:00:00.000Z',
};

const SYNCED: SyncFacts = {
  signedIn: true,
  paused: false,
  online: true,
  lastDrain: 'empty',
  pullError: null,
  unreachable: false,
  throttled: false,
  busy: false,
  initialSync: null,
};

describe('statusOf', () => {
  describe('the state', () => {
    it.each<[string, Partial<SyncFacts>, Partial<StoreCounts>, string]>([
      ['anonymous, whatever else', { signedIn: false, online: false, paused: true }, { failed: 1 }, 'local-only'],
      ['paused by a 401', { paused: true, online: false }, {}, 'signed-out'],
      ['the platform offline', { online: false }, { failed: 1 }, 'offline'],
      ['the last drain offline', { lastDrain: 'offline' }, {}, 'offline'],
      ['the last drain blocked', { lastDrain: 'blocked' }, {}, 'error'],
      ['a failed entry', {}, { failed: 1 }, 'error'],
      ['a pull that was refused', { pullError: 'HTTP 403 forbidden' }, {}, 'error'],
      [
        'a server that does not answer',
        { lastDrain: 'retry-scheduled', unreachable: true },
        { retrying: 3 },
        'unreachable',
      ],
      ['no answer, and a change not accepted', { unreachable: true }, { failed: 1 }, 'error'],
      [
        'a server that asked to slow down',
        { lastDrain: 'retry-scheduled', throttled: true },
        { pending: 4, retrying: 4 },
        'syncing',
      ],
      ['slowed down, and a change not accepted', { throttled: true }, { failed: 1 }, 'error'],
      ['entries pending', {}, { pending: 2 }, 'syncing'],
      ['a loop running', { busy: true }, {}, 'syncing'],
      ['nothing left', {}, {}, 'synced'],
    ])('is told from %s', (_, facts, counts, state) => {
      expect(statusOf({ ...SYNCED, ...facts }, { ...COUNTS, ...counts }).state).toBe(state);
    });
  });

  describe('the last error and the next attempt', () => {
    it("come from the store's head while it is retrying", () => {
      const status = statusOf(SYNCED, { ...COUNTS, retrying: 1 });
      expect(status).toMatchObject({ nextAttemptAt: 5_000, lastError: 'HTTP 503 internal' });
    });

    it("are the pull's error otherwise, with no next attempt", () => {
      const status = statusOf({ ...SYNCED, pullError: 'HTTP 403 forbidden' }, COUNTS);
      expect(status).toMatchObject({ nextAttemptAt: null, lastError: 'HTTP 403 forbidden' });
    });
  });
});
