/**
 * Commits of other processes, heard through LISTEN on one connection per process and handed to
 * this process's listeners (its poke hub). Notifications sent while that connection was down
 * are lost, so after every reconnect each listener is told to poke everyone with the latest
 * cursor: a stream may get a poke it did not need, never miss one.
 */
import type { CommitNotice } from '../store.ts';
import type { Sql } from './connect.ts';
import { COMMIT_CHANNEL, type CommitMessage } from './flush-writes.ts';

export interface CommitFeed {
  /** Resolves once this process listens (so a commit after it is heard). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function listenForCommits(
  sql: Sql,
  origin: string,
  deliver: (notice: CommitNotice) => void,
  latestSeq: () => Promise<number>,
): CommitFeed {
  let listens = 0;
  let stopped = false;
  const onNotify = (payload: string) => {
    const message = JSON.parse(payload) as CommitMessage;
    if (message.origin === origin) return;
    deliver({ userIds: message.userIds, cursor: message.cursor, ...(message.everyone ? { everyone: true } : {}) });
  };
  /**
   * Reads the latest cursor and pokes everyone. The pool may still hold connections the same
   * outage ended (a terminated backend, a restarted database), so a failed read is tried again
   * until one succeeds: a poke that never comes would leave streams waiting for a change.
   */
  const pokeEveryone = async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        deliver({ userIds: [], everyone: true, cursor: await latestSeq() });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * attempt)));
      }
    }
  };
  const onListen = () => {
    // The first LISTEN is the start; any later one is a reconnect, after which commits may be missed.
    if (++listens === 1) return;
    void pokeEveryone();
  };
  const subscription = sql.listen(COMMIT_CHANNEL, onNotify, onListen);
  return {
    ready: subscription.then(() => undefined),
    stop: async () => {
      stopped = true;
      await (await subscription.catch(() => null))?.unlisten();
    },
  };
}
