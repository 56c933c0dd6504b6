/** The open event streams per user; turns store commits into pokes, and ends every stream on shutdown. */
import type { ServerConfig } from '../config.ts';
import type { CommitNotice, Store } from '../storage/store.ts';
import { PokeStream } from './poke-stream.ts';

export class PokeHub {
  private readonly streams = new Map<string, Set<PokeStream>>();
  private readonly unsubscribe: () => void;
  private shuttingDown = false;

  constructor(
    store: Store,
    private readonly config: Pick<ServerConfig, 'heartbeatMs' | 'pokeIntervalMs'>,
  ) {
    this.unsubscribe = store.onCommit((notice) => this.dispatch(notice));
  }

  /** Opens a stream for `userId`, first poked with `cursor`. */
  open(userId: string, cursor: number): PokeStream {
    const set = this.streams.get(userId) ?? new Set<PokeStream>();
    this.streams.set(userId, set);
    const stream = new PokeStream({
      heartbeatMs: this.config.heartbeatMs,
      pokeIntervalMs: this.config.pokeIntervalMs,
      onClose: () => {
        set.delete(stream);
        if (set.size === 0 && this.streams.get(userId) === set) this.streams.delete(userId);
      },
    });
    set.add(stream);
    if (this.shuttingDown) stream.close();
    else stream.poke(cursor);
    return stream;
  }

  /** How many streams are open (for tests and health). */
  get size(): number {
    let count = 0;
    for (const set of this.streams.values()) count += set.size;
    return count;
  }

  /** Ends every stream and refuses new ones (shutdown). */
  closeAll(): void {
    this.shuttingDown = true;
    this.unsubscribe();
    for (const set of [...this.streams.values()]) for (const stream of [...set]) stream.close();
  }

  private dispatch(notice: CommitNotice): void {
    if (notice.everyone) {
      for (const set of this.streams.values()) for (const stream of set) stream.poke(notice.cursor);
      return;
    }
    for (const userId of notice.userIds) {
      for (const stream of this.streams.get(userId) ?? []) stream.poke(notice.cursor);
    }
  }
}
