/** The live sync status the engine tells (the status pill and the sync panel show it), and how it is made. */
import type { StoreCounts } from '../store/types.ts';
import type { DrainOutcome } from './drain.ts';
import type { PullProgress } from './pull.ts';

/** Live sync status, as the status pill and the sync panel show it. */
export interface SyncStatus {
  /**
   * `unreachable`: the browser is online but the server does not answer or is away (a 5xx, a
   * gateway's 503 during a deploy); changes wait here and are retried (calm: nothing for the
   * person to do). A server that asked this device to slow down (429) is `syncing`: it paces the
   * sync. `error`: something needs the person or the server refused (a change not accepted, a
   * refused pull).
   */
  state: 'local-only' | 'syncing' | 'synced' | 'offline' | 'unreachable' | 'error' | 'signed-out';
  pending: number;
  /** Mutations that failed transiently at least 3 times and are being retried. */
  retrying: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  failed: number;
  conflicts: number;
  lastSyncAt: string | null;
  cursor: number;
  /** Set while an initial sync (from cursor 0) is running. */
  initialSync: PullProgress | null;
}

/** The status before anything was read. */
export const INITIAL_STATUS: SyncStatus = {
  state: 'local-only',
  pending: 0,
  retrying: 0,
  nextAttemptAt: null,
  lastError: null,
  failed: 0,
  conflicts: 0,
  lastSyncAt: null,
  cursor: 0,
  initialSync: null,
};

/** What the engine knows besides the store's counts. */
export interface SyncFacts {
  /** False for the anonymous database, which never syncs. */
  signedIn: boolean;
  /** A 401 paused the loops until the account changes. */
  paused: boolean;
  /** What the platform says (`navigator.onLine`). */
  online: boolean;
  /** How the last drain ended (null: none since the account was opened). */
  lastDrain: DrainOutcome | null;
  /** Why the last pull failed (null: it did not). */
  pullError: string | null;
  /** The last drain or pull could not reach the server while online: no answer, or a server away (5xx). */
  unreachable: boolean;
  /** The server asked this device to slow down (429): it paces the sync, nothing is wrong. */
  throttled: boolean;
  /** A drain or a pull is under way. */
  busy: boolean;
  initialSync: PullProgress | null;
}

/** The status from the engine's facts and the store's counts. */
export function statusOf(facts: SyncFacts, counts: StoreCounts): SyncStatus {
  const retrying = counts.retrying > 0;
  return {
    state: stateOf(facts, counts),
    ...counts,
    nextAttemptAt: retrying ? counts.nextAttemptAt : null,
    lastError: retrying || facts.lastDrain === 'blocked' ? counts.lastError : facts.pullError,
    initialSync: facts.initialSync,
  };
}

function stateOf(facts: SyncFacts, { pending, failed, retrying }: StoreCounts): SyncStatus['state'] {
  if (!facts.signedIn) return 'local-only';
  if (facts.paused) return 'signed-out';
  if (!facts.online || facts.lastDrain === 'offline') return 'offline';
  if (facts.unreachable && facts.lastDrain !== 'blocked' && failed === 0) return 'unreachable';
  if (facts.throttled && facts.lastDrain !== 'blocked' && failed === 0) return 'syncing';
  if (facts.lastDrain === 'blocked' || failed > 0 || retrying > 0 || facts.pullError) return 'error';
  if (pending > 0 || facts.busy) return 'syncing';
  return 'synced';
}

/** Whether two statuses say the same (listeners are told only of a change). */
export function sameStatus(a: SyncStatus, b: SyncStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
