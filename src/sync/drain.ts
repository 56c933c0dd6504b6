/**
 * The outbox drain: sends the oldest pending mutations to `POST /api/sync/push` until the
 * outbox is empty or something stops it. Runs in the worker, or in the page without one.
 *
 *   ┌─► nextBatch ─ none ──────────────────────────────► empty
 *   │      │ head waiting for its backoff (not forced) ─► retry-scheduled
 *   │   POST push
 *   │      ├ 200 ─► checked ─► applyPushResults ───────┐
 *   │      │        invalid ─► recordTransientFailure ─► retry-scheduled
 *   │      ├ 409 seq-gap ─► alignSeq (bounded) ───────┤
 *   │      ├ 403 client-forbidden ─► renewClientId ───┤
 *   │      ├ 413/400/422 ─► halve; one entry ─► failEntry
 *   │      ├ network/timeout/408/429/5xx ─► recordTransientFailure ─► retry-scheduled
 *   │      ├ 401 ─► paused           other refusals ─► blocked (kept, retried on backoff)
 *   └──────────────────────────────────────────────────┘
 *
 * Entries are deleted only by `applyPushResults`, i.e. after the server's acknowledgement.
 */
import {
  assertPushResponse,
  LIMITS,
  PROTOCOL_VERSION,
  type Problem,
  type PushRequest,
  type PushResponse,
  pushIdempotencyKey,
} from '../../protocol/index.ts';
import type { OutboxBatch, RecordRef, RecordView, StoreCounts, SyncStore } from '../store/types.ts';
import { nextAttemptAt } from './backoff.ts';
import { classifyPushResponse, problemFromStatus } from './classify-response.ts';
import { type HttpDeps, requestJson } from './http.ts';
import { defaultLock, LOCK_NAMES, type LockRunner } from './lock.ts';
import { PushPipeline, ResultsNotStoredError } from './push-pipeline.ts';
import type { LatencySample } from './sync-stats.ts';

export interface DrainDeps extends HttpDeps {
  store: SyncStore;
  random(): number;
  /** False when the platform knows it is offline (`navigator.onLine`); nothing is sent then. */
  isOnline(): boolean;
  lock?: LockRunner;
  /** Ignore the head entry's backoff ("Sync now", back online, a `sync` event). */
  force?: boolean;
  /**
   * Asked before each batch: true while the person is writing. A commit waits behind whatever
   * transaction of the drain holds the database when it starts, so then nothing is read ahead,
   * batches are small and results are stored in small parts: short transactions all.
   */
  gentle?(): boolean;
  /** Awaited before each transaction of a gentle drain: resolves when the person pauses writing. */
  pause?(): Promise<void>;
  /**
   * Told as records change (acks, failures), so tabs catch up while a long drain goes on; with
   * the views of those the results raised to a newer version (see `syncedViews`).
   */
  onChanged?(changed: RecordRef[], views?: RecordView[]): void;
}

interface DrainTotals {
  /** Mutations the server acknowledged during this drain (any result). */
  acknowledged: number;
  /** Records whose local state changed because of push results. */
  changed: RecordRef[];
  /** The newest server cursor a push answered with (0: none): a pull is due if the store is behind it. */
  serverCursor: number;
  /** The stored cursor after the last results stored (0: none stored). */
  cursor: number;
  /**
   * The counts read with the last batch's results, when the drain got to them (it then ends
   * `empty`); else null. The status then needs no transaction of its own.
   */
  counts: StoreCounts | null;
  /** The round trip of each push the server answered (the sync panel's latency chart). */
  latency: LatencySample[];
}

export type DrainResult = DrainTotals &
  (
    | { outcome: 'empty' }
    | { outcome: 'offline' }
    | { outcome: 'retry-scheduled'; nextAttemptAt: number; lastError: string }
    | { outcome: 'paused' }
    | { outcome: 'blocked'; nextAttemptAt: number; lastError: string }
  );

export type DrainOutcome = DrainResult['outcome'];

/**
 * A gentle drain's sizes: a commit then waits for one short transaction (5 to 10 ms on a busy
 * 2-core machine) instead of a long one (15 ms to take 400 entries as a batch, 100 ms and more to
 * store 300 results). Storing a result costs ten times and more what taking its entry does.
 */
export const GENTLE_BATCH_MUTATIONS = 100;
export const GENTLE_RESULTS_PER_TRANSACTION = 10;

/** How many 409 seq-gap or 403 client-forbidden answers in a row the drain repairs before it gives up for now. */
const MAX_REPAIRS = 3;

/** The batch's Idempotency-Key: a resent identical batch replays the stored response. */
function idempotencyKey(batch: OutboxBatch, salt?: string): string {
  const { mutations } = batch;
  return pushIdempotencyKey(batch.clientId, mutations[0].seq, mutations[mutations.length - 1].seq, salt);
}

/** FNV-1a of the body: a second, still deterministic key when the plain one was used for another body. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** A 200 answer as the push answer to `request` it must be, or why it is not one. */
function checkedAnswer(body: unknown, request: PushRequest): PushResponse | { invalid: string } {
  try {
    assertPushResponse(body, request);
    return body;
  } catch (error) {
    return { invalid: `invalid push answer: ${(error as Error).message}` };
  }
}

/**
 * Drains that ended in an unexpected error in a row (a store that cannot even count a failed
 * attempt): their retries back off as an entry's would, shared by every store of this context.
 */
let unexpectedFailures = 0;

/**
 * Drains the outbox, one drain at a time across every tab and the worker. Never rejects:
 * results that could not be stored count an attempt on their batch like a transient failure,
 * and any other unexpected error (a broken store) is reported as `retry-scheduled` with backoff.
 */
export async function drainOutbox(deps: DrainDeps): Promise<DrainResult> {
  const lock = deps.lock ?? defaultLock();
  const totals: DrainTotals = { acknowledged: 0, changed: [], serverCursor: 0, cursor: 0, counts: null, latency: [] };
  try {
    const result = await lock(LOCK_NAMES.drain, () => drainOrRetry(deps, totals));
    unexpectedFailures = 0;
    return result;
  } catch (error) {
    const lastError = `drain failed: ${(error as Error)?.message ?? error}`;
    const at = nextAttemptAt(++unexpectedFailures, deps.now(), deps.random);
    return { ...totals, outcome: 'retry-scheduled', nextAttemptAt: at, lastError };
  }
}

/** The drain, with a failure to store a batch's results counted on that batch. */
async function drainOrRetry(deps: DrainDeps, totals: DrainTotals): Promise<DrainResult> {
  try {
    return await drainLoop(deps, totals);
  } catch (error) {
    if (!(error instanceof ResultsNotStoredError)) throw error;
    return scheduleRetry(deps, totals, error.batch, error.message, null, 'retry-scheduled');
  }
}

async function drainLoop(deps: DrainDeps, totals: DrainTotals): Promise<DrainResult> {
  /** Lowered by halving while a refused batch's culprit is isolated. */
  let maxCount: number = LIMITS.batchMutations;
  let repairs = 0;
  let keySalted = false;
  const pipeline = new PushPipeline(deps.store, LIMITS.batchBytes, (batch, { changed, views, cursor, counts }) => {
    totals.acknowledged += batch.entries.length;
    totals.changed.push(...changed);
    totals.cursor = cursor;
    totals.counts = counts;
    deps.onChanged?.(changed, views);
  });
  /** Every way out waits for the results still being stored: the totals count them. */
  const end = async (result: DrainOutcomeFields, batch?: OutboxBatch): Promise<DrainResult> => {
    await pipeline.settle();
    if (batch && (result.outcome === 'retry-scheduled' || result.outcome === 'blocked')) {
      return scheduleRetry(deps, totals, batch, result.lastError, result.retryAfterMs ?? null, result.outcome);
    }
    return { ...totals, ...result } as DrainResult;
  };
  for (;;) {
    // `navigator.onLine` in a worker can lag behind reality (a `sync` event may arrive while it
    // still says offline): a forced drain tries anyway, and the network decides.
    if (!deps.force && !deps.isOnline()) return end({ outcome: 'offline' });
    pipeline.check();
    const gentle = deps.gentle?.() ?? false;
    if (gentle) {
      await pipeline.settle();
      await deps.pause?.();
    }
    const batch = await pipeline.next(gentle ? Math.min(maxCount, GENTLE_BATCH_MUTATIONS) : maxCount);
    if (!batch) return end({ outcome: 'empty' });
    const head = batch.entries[0];
    if (!deps.force && head.nextAttemptAt !== undefined && head.nextAttemptAt > deps.now()) {
      return end({ outcome: 'retry-scheduled', nextAttemptAt: head.nextAttemptAt, lastError: head.lastError ?? '' });
    }

    const request: PushRequest = { protocol: PROTOCOL_VERSION, clientId: batch.clientId, mutations: batch.mutations };
    const body = JSON.stringify(request);
    const key = idempotencyKey(batch, keySalted ? fingerprint(body) : undefined);
    const sentAt = deps.now();
    const sending = requestJson(deps, '/api/sync/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body,
    });
    // Gently, nothing is read ahead: that would be one more transaction for a commit to wait behind.
    if (!gentle) pipeline.readAhead(batch, maxCount);
    const answer = await sending;
    if (answer.kind !== 'network-error') totals.latency.push({ at: deps.now(), ms: deps.now() - sentAt });

    if (answer.kind === 'network-error') {
      // Failing while the platform says offline is no fault of the entry: no attempt is counted.
      if (!deps.isOnline()) return end({ outcome: 'offline' });
      return end({ outcome: 'retry-scheduled', lastError: answer.reason }, batch);
    }
    const verdict = classifyPushResponse(answer);
    if (verdict.kind === 'ok') {
      // Checked whole before anything of it is stored: a result that answers another mutation
      // than it says, or none, would otherwise be skipped and its entry sent again unnoticed.
      const response = checkedAnswer(answer.body, request);
      if ('invalid' in response) return end({ outcome: 'retry-scheduled', lastError: response.invalid }, batch);
      // The last batch's results carry the counts the drain ends on.
      pipeline.storeResults(batch, response, {
        counts: !batch.more,
        perTransaction: gentle ? GENTLE_RESULTS_PER_TRANSACTION : undefined,
        pause: gentle ? deps.pause : undefined,
      });
      totals.serverCursor = Math.max(totals.serverCursor, response.cursor);
      repairs = 0;
      keySalted = false;
      // A short batch was the whole outbox when it was read: what was committed since has its
      // own (gathered) trigger. Chasing each new commit cost a push and three transactions per
      // commit, each making the next commit wait.
      if (!batch.more) return end({ outcome: 'empty' });
      continue;
    }
    // Every other answer is handled with the store up to date and nothing read ahead.
    await pipeline.settle();
    switch (verdict.kind) {
      case 'transient':
        return end(
          { outcome: 'retry-scheduled', lastError: verdict.reason, retryAfterMs: verdict.retryAfterMs },
          batch,
        );
      case 'unauthorized':
        return end({ outcome: 'paused' });
      case 'seq-gap':
        if (++repairs > MAX_REPAIRS) return end({ outcome: 'blocked', lastError: 'seq-gap repeats' }, batch);
        await deps.store.alignSeq(verdict.expectedSeq);
        continue;
      case 'client-forbidden':
        if (++repairs > MAX_REPAIRS) return end({ outcome: 'blocked', lastError: 'client-forbidden repeats' }, batch);
        await deps.store.renewClientId();
        continue;
      case 'key-reused':
        if (!keySalted) {
          keySalted = true;
          continue;
        }
        maxCount = await isolate(deps, batch, maxCount, totals, null);
        continue;
      case 'too-large':
      case 'bad-request':
        maxCount = await isolate(deps, batch, maxCount, totals, verdict.problem);
        continue;
      case 'blocked':
        return end({ outcome: 'blocked', lastError: verdict.reason }, batch);
    }
  }
}

/** A drain's outcome before the totals are added; a retry to schedule carries its error. */
type DrainOutcomeFields =
  | { outcome: 'empty' | 'offline' | 'paused' }
  | { outcome: 'retry-scheduled' | 'blocked'; lastError: string; nextAttemptAt?: number; retryAfterMs?: number | null };

/**
 * A whole-request refusal blamed on the content: halve the batch until the culprit is alone,
 * then move it to `failed`. Returns the batch size to use next.
 */
async function isolate(
  deps: DrainDeps,
  batch: OutboxBatch,
  maxCount: number,
  totals: DrainTotals,
  problem: Problem | null,
): Promise<number> {
  if (batch.entries.length > 1) return Math.ceil(Math.min(maxCount, batch.entries.length) / 2);
  const error = problemFromStatus(422, problem, 'The server refused this change whatever its idempotency key.');
  const changed = await deps.store.failEntry(batch.entries[0].key, error);
  totals.changed.push(...changed);
  deps.onChanged?.(changed);
  return LIMITS.batchMutations;
}

async function scheduleRetry(
  deps: DrainDeps,
  totals: DrainTotals,
  batch: OutboxBatch,
  lastError: string,
  retryAfterMs: number | null,
  outcome: 'retry-scheduled' | 'blocked',
): Promise<DrainResult> {
  const head = batch.entries[0];
  const at = nextAttemptAt(head.attempts + 1, deps.now(), deps.random, retryAfterMs);
  await deps.store.recordTransientFailure(head.key, lastError, at);
  return { ...totals, outcome, nextAttemptAt: at, lastError };
}
