/** The typed `burrow` BroadcastChannel shared by tabs and the worker: changes, status, presence. */

import type { RecordRef, RecordView } from '../store/types.ts';
import type { SyncStats } from './sync-stats.ts';
import type { SyncStatus } from './sync-status.ts';

/**
 * Records a sync changed: by storing push results (`push`) or pulled changes (`pull`). `views`
 * are those it raised to a newer server version, as stored then (see `syncedViews`).
 */
export interface SyncedChange {
  source: 'push' | 'pull';
  records: RecordRef[];
  views: RecordView[];
  /** Of a pull's records, those another device or client changed (see `PullApplied`). */
  fromOtherDevices?: RecordRef[];
}

/** Every message on the channel. `database` scopes data messages to one account's database. */
export type BroadcastMessage =
  /** A tab wrote these records (a commit, an answer to a conflict, a purge): read them. */
  | { type: 'changed'; database: string; records: RecordRef[] }
  | ({ type: 'synced'; database: string } & SyncedChange)
  | { type: 'status'; database: string; status: SyncStatus }
  /** The sync figures after a drain or pull (as stored; see `sync-stats.ts`). */
  | { type: 'stats'; database: string; stats: SyncStats }
  | { type: 'account-changed'; database: string }
  | { type: 'hello' | 'heartbeat'; tabId: string; editing: RecordRef | null }
  | { type: 'bye'; tabId: string };

export const CHANNEL_NAME = 'burrow';

/** One context's end of the channel. A context never receives its own messages. */
export interface SyncChannel {
  post(message: BroadcastMessage): void;
  subscribe(listener: (message: BroadcastMessage) => void): () => void;
  close(): void;
}

/** What the module uses of a `BroadcastChannel`, typed by hand: the tests' Node side type-checks it without the DOM. */
interface ChannelLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}
type ChannelConstructor = new (name: string) => ChannelLike;

/**
 * Opens the channel. Open it once per context and share it: a second object in the same
 * context would hear the first one's messages as if another tab had sent them.
 */
export function openSyncChannel(
  name: string = CHANNEL_NAME,
  Channel: ChannelConstructor | undefined = (globalThis as unknown as { BroadcastChannel?: ChannelConstructor })
    .BroadcastChannel,
): SyncChannel {
  const listeners = new Set<(message: BroadcastMessage) => void>();
  if (!Channel) {
    return { post: () => {}, subscribe: () => () => {}, close: () => {} };
  }
  const channel = new Channel(name);
  channel.onmessage = (event) => {
    const message = event.data as BroadcastMessage | null;
    if (!message || typeof message.type !== 'string') return;
    for (const listener of listeners) listener(message);
  };
  return {
    post: (message) => channel.postMessage(message),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      channel.close();
    },
  };
}
