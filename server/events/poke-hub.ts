/**
 * The open event streams: per user (capped, the oldest closed first) and per credential, so
 * sign-out, token revocation and account changes end exactly the streams they should. Turns
 * store commits into pokes, and ends every stream on shutdown.
 */
import type { ServerConfig } from '../config.ts';
import type { CommitNotice, Store } from '../storage/store.ts';
import { PokeStream } from './poke-stream.ts';

/** Who opened a stream: the user, and the session or API token the request came with. */
export type StreamOwner = { userId: string } & ({ sessionHash: string } | { tokenId: string });

type HubConfig = Pick<ServerConfig, 'heartbeatMs' | 'pokeIntervalMs' | 'maxStreamsPerUser'>;

export class PokeHub {
  /** Per user, their streams in the order they opened (a Set keeps insertion order). */
  private readonly byUser = new Map<string, Set<PokeStream>>();
  /** Per credential (`session:<hash>` or `token:<id>`), its streams. */
  private readonly byCredential = new Map<string, Set<PokeStream>>();
  private readonly unsubscribe: () => void;
  private shuttingDown = false;

  constructor(
    store: Store,
    private readonly config: HubConfig,
  ) {
    this.unsubscribe = store.onCommit((notice) => this.dispatch(notice));
  }

  /**
   * Opens a stream for `owner`, first poked with `cursor`. A user at the cap loses their
   * oldest stream (its client reconnects if it still wants one).
   */
  open(owner: StreamOwner, cursor: number): PokeStream {
    const credential = credentialKey(owner);
    const stream = new PokeStream({
      heartbeatMs: this.config.heartbeatMs,
      pokeIntervalMs: this.config.pokeIntervalMs,
      onClose: () => {
        forget(this.byUser, owner.userId, stream);
        forget(this.byCredential, credential, stream);
      },
    });
    if (this.shuttingDown) {
      stream.close();
      return stream;
    }
    const mine = remember(this.byUser, owner.userId, stream);
    remember(this.byCredential, credential, stream);
    for (const oldest of mine) {
      if (mine.size <= this.config.maxStreamsPerUser) break;
      oldest.close();
    }
    stream.poke(cursor);
    return stream;
  }

  /** Ends every stream of a user (account changes). */
  closeUser(userId: string): void {
    closeEach(this.byUser.get(userId));
  }

  /** Ends the streams opened with a session (sign-out); `sessionHash` is the stored hash of its id. */
  closeSession(sessionHash: string): void {
    closeEach(this.byCredential.get(credentialKey({ userId: '', sessionHash })));
  }

  /** Ends the streams opened with an API token (revocation). */
  closeToken(tokenId: string): void {
    closeEach(this.byCredential.get(credentialKey({ userId: '', tokenId })));
  }

  /** How many streams are open (for tests and health). */
  get size(): number {
    let count = 0;
    for (const set of this.byUser.values()) count += set.size;
    return count;
  }

  /** Ends every stream at once and refuses new ones (shutdown). */
  closeAll(): void {
    this.shuttingDown = true;
    this.unsubscribe();
    for (const set of [...this.byUser.values()]) closeEach(set);
  }

  private dispatch(notice: CommitNotice): void {
    for (const userId of notice.userIds) {
      for (const stream of this.byUser.get(userId) ?? []) stream.poke(notice.cursor);
    }
  }
}

function credentialKey(owner: StreamOwner): string {
  return 'sessionHash' in owner ? `session:${owner.sessionHash}` : `token:${owner.tokenId}`;
}

function remember(index: Map<string, Set<PokeStream>>, key: string, stream: PokeStream): Set<PokeStream> {
  const set = index.get(key) ?? new Set<PokeStream>();
  index.set(key, set);
  set.add(stream);
  return set;
}

function forget(index: Map<string, Set<PokeStream>>, key: string, stream: PokeStream): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(stream);
  if (set.size === 0) index.delete(key);
}

/** Closes a copy of the set: each close removes its stream from the set being walked. */
function closeEach(streams: Set<PokeStream> | undefined): void {
  for (const stream of [...(streams ?? [])]) stream.close();
}
