/**
 * One server-sent-events connection: coalesced `poke` events (at most one per interval, always
 * carrying the newest cursor) and comment heartbeats.
 *
 * States: open → (poke: send now, or arm one timer for the rest of the interval) → closed
 * (client gone, or server shutdown). Nothing is written after close.
 */

const encoder = new TextEncoder();

export interface PokeStreamOptions {
  heartbeatMs: number;
  pokeIntervalMs: number;
  onClose: () => void;
}

export class PokeStream {
  readonly body: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private closed = false;
  private pendingCursor: number | null = null;
  private lastPokeAt = Number.NEGATIVE_INFINITY;
  private pokeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(private readonly options: PokeStreamOptions) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => this.close(),
    });
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), options.heartbeatMs);
    this.heartbeat.unref?.();
    // A retry hint and a first comment, so the client sees the stream open at once.
    this.write('retry: 3000\n: connected\n\n');
  }

  /** Asks for a poke with `cursor`; coalesced with any poke still waiting. */
  poke(cursor: number): void {
    if (this.closed) return;
    this.pendingCursor = Math.max(this.pendingCursor ?? 0, cursor);
    if (this.pokeTimer) return;
    const wait = this.lastPokeAt + this.options.pokeIntervalMs - Date.now();
    if (wait <= 0) this.flush();
    else this.pokeTimer = setTimeout(() => this.flush(), wait);
  }

  /** Ends the stream (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.pokeTimer) clearTimeout(this.pokeTimer);
    try {
      this.controller.close();
    } catch {
      // Already cancelled by the client.
    }
    this.options.onClose();
  }

  private flush(): void {
    this.pokeTimer = null;
    if (this.pendingCursor === null) return;
    this.write(`event: poke\ndata: {"cursor":${this.pendingCursor}}\n\n`);
    this.pendingCursor = null;
    this.lastPokeAt = Date.now();
  }

  private write(text: string): void {
    if (this.closed) return;
    try {
      this.controller.enqueue(encoder.encode(text));
    } catch {
      this.close();
    }
  }
}
