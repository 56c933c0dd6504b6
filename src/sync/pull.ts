/**
 * The pull: reads pages of changes after the stored cursor and applies each page with its
 * cursor in one store call, so an interrupted pull (or initial sync) resumes where it stopped.
 * The next page is fetched while one is applied; pages are still applied one at a time, in order.
 * On 410 cursor-expired or 409 cursor-ahead it resyncs from 0 and then drops the records the
 * snapshot lacked; pending edits are kept (the store rebases them).
 */
import { assertPullResponse, LIMITS, type PullResponse } from '../../protocol/index.ts';
import type { RecordRef, RecordView, StoreCounts, SyncStore } from '../store/types.ts';
import { classifyPullResponse } from './classify-response.ts';
import { type HttpAnswer, type HttpDeps, requestJson } from './http.ts';
import { defaultLock, LOCK_NAMES, type LockRunner } from './lock.ts';
import type { LatencySample } from './sync-stats.ts';

/** How far an initial sync (or a resync) has come. */
export interface PullProgress {
  received: number;
  hasMore: boolean;
}

export interface PullDeps extends HttpDeps {
  store: SyncStore;
  isOnline(): boolean;
  lock?: LockRunner;
  pageLimit?: number;
  /** Called after each page of a pull that started from cursor 0; null when it ends. Awaited. */
  onProgress?(progress: PullProgress | null): void | Promise<void>;
  /**
   * Told which records each applied page changed (and which records a resync removed), so tabs
   * catch up while a long pull goes on; with the views of those the page raised to a newer
   * version (see `syncedViews`).
   */
  onChanged?(changed: RecordRef[], views?: RecordView[], fromOtherDevices?: RecordRef[]): void;
}

export interface PullResult {
  outcome: 'done' | 'offline' | 'paused' | 'failed';
  changed: RecordRef[];
  /** Records changed by someone else (not the echo of our own pushes). */
  fromElsewhere: number;
  cursor: number;
  /** The counts read with the last page, when the pull got to it (outcome `done`); else null. */
  counts: StoreCounts | null;
  error?: string;
  retryAfterMs?: number | null;
  /** The round trip of each page the server answered (the sync panel's latency chart). */
  latency: LatencySample[];
}

/** A 200 answer as the page of the feed it must be, or why it is not one. */
function checkedPage(body: unknown): PullResponse | { invalid: string } {
  try {
    assertPullResponse(body);
    return body;
  } catch (error) {
    return { invalid: `invalid pull answer: ${(error as Error).message}` };
  }
}

/** Pulls until the server has nothing more. Never rejects; one pull at a time per origin. */
export async function pullChanges(deps: PullDeps): Promise<PullResult> {
  const lock = deps.lock ?? defaultLock();
  const state: PullResult = { outcome: 'done', changed: [], fromElsewhere: 0, cursor: 0, counts: null, latency: [] };
  try {
    return await lock(LOCK_NAMES.pull, () => pullLoop(deps, state));
  } catch (error) {
    deps.onProgress?.(null);
    return { ...state, outcome: 'failed', counts: null, error: `pull failed: ${(error as Error)?.message ?? error}` };
  }
}

async function pullLoop(deps: PullDeps, state: PullResult): Promise<PullResult> {
  const { store } = deps;
  state.cursor = (await store.getMeta<number>('cursor')) ?? 0;
  // The purge horizon the stored cursor was read under: paging that began after the last purge
  // is not refused for a cursor below it.
  let horizon = await store.getMeta<number>('horizon');
  let reporting = state.cursor === 0;
  let resyncing = false;
  let received = 0;
  const stop = (outcome: PullResult['outcome'], extra: Partial<PullResult> = {}): PullResult => {
    if (reporting) deps.onProgress?.(null);
    return { ...state, ...extra, outcome, counts: outcome === 'done' ? state.counts : null };
  };
  // Filling a store from nothing (an initial sync, a resync) takes pages as large as the server
  // allows: each page costs a transaction and a notice to every tab, and a commit waiting behind
  // a larger page is rare while the store is still filling.
  const limit = () => deps.pageLimit ?? (reporting ? LIMITS.pullMaxLimit : LIMITS.pullDefaultLimit);
  const fetchPage = async (cursor: number): Promise<HttpAnswer> => {
    const known = cursor > 0 && horizon !== undefined ? `&horizon=${horizon}` : '';
    const sentAt = deps.now();
    const answer = await requestJson(deps, `/api/sync/pull?cursor=${cursor}&limit=${limit()}${known}`, {
      method: 'GET',
    });
    if (answer.kind !== 'network-error') state.latency.push({ at: deps.now(), ms: deps.now() - sentAt });
    return answer;
  };
  /** The page after the one being applied, asked for meanwhile (requestJson never rejects). */
  let prefetched: { cursor: number; answer: Promise<HttpAnswer> } | null = null;
  for (;;) {
    if (!deps.isOnline()) return stop('offline');
    const answer: HttpAnswer = await (prefetched?.cursor === state.cursor
      ? prefetched.answer
      : fetchPage(state.cursor));
    prefetched = null;
    if (answer.kind === 'network-error') return stop('failed', { error: answer.reason });
    const verdict = classifyPullResponse(answer);
    if (verdict.kind === 'unauthorized') return stop('paused');
    if (verdict.kind === 'transient')
      return stop('failed', { error: verdict.reason, retryAfterMs: verdict.retryAfterMs });
    if (verdict.kind === 'blocked') return stop('failed', { error: verdict.reason });
    if (verdict.kind === 'resync') {
      // A second refusal during the resync itself means the server is in trouble: try later.
      if (resyncing) return stop('failed', { error: `resync refused: ${verdict.code}` });
      await store.beginResync();
      resyncing = true;
      reporting = true;
      received = 0;
      state.cursor = 0;
      continue;
    }
    // Like any transient failure: the pull is tried again later, and nothing of the page is stored.
    const page = checkedPage(answer.body);
    if ('invalid' in page) return stop('failed', { error: page.invalid });
    // The server answers the next request from this page's cursor, which is where applying the
    // page leaves the store; if the store ends up elsewhere, the early answer is not used.
    horizon = page.horizon;
    if (page.hasMore) prefetched = { cursor: page.cursor, answer: fetchPage(page.cursor) };
    // The last page also stores the sync time and reads the status: no transactions of their own.
    const last = page.hasMore ? undefined : { syncedAt: new Date(deps.now()).toISOString(), counts: true };
    const applied = await store.applyPullPage(page, last);
    state.changed.push(...applied.changed);
    state.fromElsewhere += applied.fromElsewhere;
    // An initial sync or a resync brings what the account already had: nothing new to announce.
    deps.onChanged?.(applied.changed, applied.views, reporting ? [] : applied.fromOtherDevices);
    received += page.changes.length;
    if (reporting) await deps.onProgress?.({ received, hasMore: page.hasMore });
    const advanced = applied.cursor > state.cursor;
    state.cursor = applied.cursor;
    state.counts = applied.counts;
    if (!page.hasMore) {
      if (resyncing) {
        const removed = await store.finishResync();
        state.changed.push(...removed);
        deps.onChanged?.(removed);
      }
      return stop('done');
    }
    if (!advanced) return stop('failed', { error: 'pull made no progress' });
  }
}
