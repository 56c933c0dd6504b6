/**
 * Exactly one tab holds the server-sent-events connection: the holder of the Web Lock
 * `burrow-events`. When that tab closes, the browser releases the lock and the next waiting
 * tab takes over. The holder asks for a pull on every poke, and on every (re)connection,
 * since pokes sent while it was disconnected are lost.
 */
import { LOCK_NAMES } from '../lock.ts';

export interface EventsLeaderDeps {
  /** Asks the engine to pull. */
  onPoke(cursor: number | null): void;
  url?: string;
  EventSourceImpl?: typeof EventSource;
  locks?: Pick<LockManager, 'request'>;
  /** Wait before reopening a connection the browser gave up on (e.g. a 401). */
  reopenDelayMs?: number;
}

/** Starts competing for leadership; returns a function that stops (and releases the lock). */
export function startEventsLeader(deps: EventsLeaderDeps): () => void {
  const locks = deps.locks ?? globalThis.navigator?.locks;
  const Source = deps.EventSourceImpl ?? globalThis.EventSource;
  if (!Source) return () => {};
  let stopped = false;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let source: EventSource | null = null;
  let reopenTimer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    if (stopped) return;
    source = new Source(deps.url ?? '/api/sync/events', { withCredentials: true });
    source.addEventListener('open', () => deps.onPoke(null));
    source.addEventListener('poke', (event) => deps.onPoke(readCursor((event as MessageEvent).data)));
    source.addEventListener('error', () => {
      // CLOSED means the browser will not retry by itself (a non-200 answer such as 401).
      if (source?.readyState === Source.CLOSED) {
        reopenTimer = setTimeout(open, deps.reopenDelayMs ?? 30_000);
      }
    });
  };

  const lead = async () => {
    open();
    await released;
  };

  if (locks) {
    void locks.request(LOCK_NAMES.events, lead).catch(() => undefined);
  } else {
    // Without Web Locks every tab holds its own connection: more load, same behaviour.
    void lead();
  }

  return () => {
    stopped = true;
    clearTimeout(reopenTimer);
    source?.close();
    release();
  };
}

function readCursor(data: unknown): number | null {
  try {
    const cursor = (JSON.parse(String(data)) as { cursor?: unknown }).cursor;
    return typeof cursor === 'number' ? cursor : null;
  } catch {
    return null;
  }
}
