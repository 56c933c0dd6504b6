/**
 * The drain's pipeline: while one batch is in flight the next is read, and while a response's
 * results are stored the next batch is already sent. IndexedDB and the network then work at the
 * same time instead of taking turns (it halved the time to deliver a large outbox).
 *
 * Results are stored strictly in order, and a fresh read of the outbox waits until every result
 * before it is stored, so no batch is ever read twice while its acknowledgement is being written.
 */
import type { PushResponse } from '../../protocol/index.ts';
import type { LocalStore, OutboxBatch, RecordRef } from '../store/types.ts';

export class PushPipeline {
  private storing: Promise<void> = Promise.resolve();
  private storeError: unknown = null;
  private ahead: Promise<OutboxBatch | null> | null = null;

  constructor(
    private readonly store: LocalStore,
    private readonly maxBytes: number,
    private readonly onStored: (batch: OutboxBatch, changed: RecordRef[]) => void,
  ) {}

  /** The batch to send next: the one read ahead, else the oldest entries once all results are stored. */
  async next(maxCount: number): Promise<OutboxBatch | null> {
    const ahead = this.ahead;
    this.ahead = null;
    const batch = ahead ? await ahead : null;
    if (batch && batch.entries.length <= maxCount) return batch;
    await this.settle();
    return this.store.nextBatch(maxCount, this.maxBytes);
  }

  /**
   * Starts reading the batch after `inFlight` when the outbox held more than it (a failed read
   * just means a fresh one later).
   */
  readAhead(inFlight: OutboxBatch, maxCount: number): void {
    if (!inFlight.more) return;
    const last = inFlight.entries[inFlight.entries.length - 1].key;
    this.ahead = this.store.nextBatch(maxCount, this.maxBytes, last).catch(() => null);
  }

  /** Queues the storing of `response`'s results, after those of earlier batches. */
  storeResults(batch: OutboxBatch, response: PushResponse): void {
    this.storing = this.storing.then(async () => {
      if (this.storeError !== null) return;
      try {
        this.onStored(batch, await this.store.applyPushResults(batch, response));
      } catch (error) {
        this.storeError = error;
      }
    });
  }

  /** Throws the first failure to store results, if any: the drain must stop sending then. */
  check(): void {
    if (this.storeError !== null) throw this.storeError;
  }

  /** Waits until every queued result is stored and forgets any batch read ahead; throws a store failure. */
  async settle(): Promise<void> {
    this.ahead = null;
    await this.storing;
    this.check();
  }
}
