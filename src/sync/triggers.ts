/**
 * The one table of sync triggers, read by the page (what it may post to the worker), the worker
 * (which messages start a sync) and the engine (how urgently each drains, and whether it pulls).
 */

/** What a trigger asks of the engine, and where it comes from. */
interface TriggerRule {
  /** The drain ignores the head entry's backoff and takes full batches. */
  readonly forced: boolean;
  /** A pull follows the drain (start, reconnect, coming back to the tab, on demand). */
  readonly pullAfter: boolean;
  /** The page posts it to the worker (`{ type: trigger }`), or runs it on its own engine. */
  readonly fromPage: boolean;
}

export const TRIGGERS = {
  /** The engine started (worker start, the page's own engine). */
  start: { forced: false, pullAfter: true, fromPage: false },
  /**
   * A navigation the worker served: the person arriving. Like coming back online, it tries at
   * once: a worker it woke lost the timer that was waiting out the backoff, and where there is no
   * Background Sync (Firefox, Safari) nothing else would run it before the page's next ping.
   */
  navigation: { forced: true, pullAfter: true, fromPage: false },
  /** The page committed a change. */
  committed: { forced: false, pullAfter: false, fromPage: true },
  /** A Background Sync `sync` event. */
  'sync-event': { forced: true, pullAfter: true, fromPage: false },
  /** The page came back online. */
  online: { forced: true, pullAfter: true, fromPage: true },
  /** A tab became visible. */
  visible: { forced: false, pullAfter: true, fromPage: true },
  /** An open tab's periodic nudge (covers Chromium's 5/15-minute sync retries). */
  ping: { forced: false, pullAfter: false, fromPage: true },
  /** A Periodic Background Sync event. */
  periodic: { forced: true, pullAfter: true, fromPage: false },
  /** "Sync now". */
  'sync-now': { forced: true, pullAfter: true, fromPage: true },
  /** The engine's own retry timer. */
  timer: { forced: false, pullAfter: false, fromPage: false },
  /** Another account became active. */
  account: { forced: true, pullAfter: false, fromPage: false },
} as const satisfies Record<string, TriggerRule>;

/** What started a drain. */
export type SyncTrigger = keyof typeof TRIGGERS;

/** The triggers the page sends to wherever the engine runs. */
export type PageTrigger = {
  [T in SyncTrigger]: (typeof TRIGGERS)[T]['fromPage'] extends true ? T : never;
}[SyncTrigger];

/** Whether `value` names a trigger the page sends (a worker message's `type`). */
export function isPageTrigger(value: unknown): value is PageTrigger {
  return typeof value === 'string' && Object.hasOwn(TRIGGERS, value) && TRIGGERS[value as SyncTrigger].fromPage;
}
