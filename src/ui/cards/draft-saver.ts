/** The editor's draft written to the local store as the person types: after a pause, and at once when asked. */

/** How long a pause in typing lasts before the draft is written. */
export const DRAFT_PAUSE_MS = 400;
/** While typing goes on without a pause, the draft is still written this often. */
export const DRAFT_MAX_WAIT_MS = 1_000;

/** `setTimeout` and `clearTimeout`, injected so tests run the saver on a fake clock. */
export interface SaverTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** What the person sees: nothing written yet, a write under way, written, or why it was not. */
export type SaveState =
  | { state: 'untouched' }
  | { state: 'saving' }
  | { state: 'saved' }
  | { state: 'not-saved'; reason: string };

/** Why a draft cannot be written as it is (a link without its URL, say): shown, and kept on screen. */
export class DraftNotSaved extends Error {}

const browserTimers: SaverTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
};

/**
 * Writes the newest draft it was given, one write at a time and in order. A draft given while a
 * write runs waits for it; drafts given meanwhile collapse into the newest. `flush` writes at once
 * and resolves when everything given before it is written (or refused).
 */
export class DraftSaver<T> {
  private waiting: T | null = null;
  private hasWaiting = false;
  private timer: unknown = null;
  private firstWaitingAt = 0;
  private chain: Promise<void> = Promise.resolve();
  /** Writes handed to the chain and not yet run to their end. */
  private queued = 0;
  private current: SaveState = { state: 'untouched' };

  constructor(
    private readonly write: (draft: T) => Promise<void>,
    private readonly onState: (state: SaveState) => void = () => {},
    private readonly timers: SaverTimers = browserTimers,
  ) {}

  state(): SaveState {
    return this.current;
  }

  /** The person changed the draft: it is written after a pause (or the longest wait). */
  change(draft: T): void {
    const now = this.timers.now();
    if (!this.hasWaiting) this.firstWaitingAt = now;
    this.waiting = draft;
    this.hasWaiting = true;
    this.setState({ state: 'saving' });
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    const due = Math.min(DRAFT_PAUSE_MS, this.firstWaitingAt + DRAFT_MAX_WAIT_MS - now);
    this.timer = this.timers.setTimeout(() => void this.flush(), Math.max(0, due));
  }

  /** Writes what waits now; resolves with the state once every write given so far has run. */
  flush(): Promise<SaveState> {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (this.hasWaiting) {
      const draft = this.waiting as T;
      this.waiting = null;
      this.hasWaiting = false;
      this.queued += 1;
      this.chain = this.chain.then(() => this.run(draft));
    }
    return this.chain.then(() => this.current);
  }

  /** Forgets what waits (the person undid the session): nothing more is written. */
  cancel(): Promise<void> {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.waiting = null;
    this.hasWaiting = false;
    return this.chain;
  }

  private async run(draft: T): Promise<void> {
    try {
      await this.write(draft);
      // A newer draft, waiting or queued, keeps the state at "saving".
      if (this.queued === 1 && !this.hasWaiting) this.setState({ state: 'saved' });
    } catch (error) {
      this.setState({ state: 'not-saved', reason: (error as Error).message });
    } finally {
      this.queued -= 1;
    }
  }

  private setState(state: SaveState): void {
    this.current = state;
    this.onState(state);
  }
}
