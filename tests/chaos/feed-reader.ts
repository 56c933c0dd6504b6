/**
 * An incremental reader of the change feed: pulls from its cursor all along the run, as a
 * client would, and keeps the newest envelope of each record. At the end it must hold exactly
 * what a pull from 0 returns: a change committed below a cursor already handed out would be
 * missing here.
 */
import type { Envelope, PullResponse } from '../../protocol/index.ts';
import type { ApiClient } from '../support/api-client.ts';
import { recordKey } from './audit.ts';

export class FeedReader {
  readonly records = new Map<string, Envelope>();
  private cursor = 0;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly api: ApiClient) {}

  /** Polls every `intervalMs` until `stop()`. */
  start(intervalMs: number): void {
    this.running = (async () => {
      while (!this.stopped) {
        await this.catchUp().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Pulls pages until the feed says there is no more. Throws on anything but 200. */
  async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.api.pull(this.cursor, 500);
      if (page.status !== 200) throw new Error(`pull from ${this.cursor} answered ${page.status}`);
      const body: PullResponse = page.body;
      for (const change of body.changes) {
        const known = this.records.get(recordKey(change));
        if (!known || known.seq < change.seq) this.records.set(recordKey(change), change);
      }
      this.cursor = body.cursor;
      if (!body.hasMore) return;
    }
  }
}
