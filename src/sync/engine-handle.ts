/**
 * An engine as its callers drive it, wherever it runs: the page drives the worker's engine or its
 * own through an `EngineHandle`, and the worker answers the page's calls with the same calls.
 */
import type { SyncStatus } from './sync-status.ts';
import type { PageTrigger } from './triggers.ts';

/** The engine's calls; each answers with the status once it is done. */
export interface EngineCalls {
  /** The status, read afresh from the store. */
  status(): Promise<SyncStatus>;
  /** Drains; done when everything committed before is delivered, or delivery is blocked. */
  flush(): Promise<SyncStatus>;
  /** A drain that ignores backoff, then a pull. */
  syncNow(): Promise<SyncStatus>;
  /** Pulls; with `after` (a poke's cursor), only when the stored cursor is behind it. */
  pull(after?: number): Promise<SyncStatus>;
  /** Another account is active: the engine opens its database and syncs it. */
  accountChanged(): Promise<SyncStatus>;
}

/** An engine the page drives: its calls, and triggers and pokes nobody waits for. */
export interface EngineHandle extends EngineCalls {
  trigger(trigger: PageTrigger): void;
  /**
   * A poke from the event stream, with its cursor (null: the stream (re)connected, and pokes
   * sent meanwhile are lost): a pull unless the stored cursor is already there. The status
   * follows as it does for any pull.
   */
  poke(cursor: number | null): void;
}
