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
  const onNotify = (payload: string) => {
    const message = JSON.parse(payload) as CommitMessage;
    if (message.origin !== origin) deliver({ userIds: message.userIds, cursor: message.cursor });
  };
  const onListen = () => {
    // The first LISTEN is the start; any later one is a reconnect, after which commits may be missed.
    if (++listens === 1) return;
    void latestSeq().then(
      (cursor) => deliver({ userIds: [], everyone: true, cursor }),
      () => undefined,
    );
  };
  const subscription = sql.listen(COMMIT_CHANNEL, onNotify, onListen);
  return {
    ready: subscription.then(() => undefined),
    stop: async () => {
      await (await subscription.catch(() => null))?.unlisten();
    },
  };
}
