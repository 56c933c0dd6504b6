/**
 * Tab presence over the broadcast channel: each tab says hello, sends a heartbeat, and says
 * bye on `pagehide`; every tab counts the open tabs and sees which record the others edit.
 * A tab that vanished without a bye (crash, killed) drops out after missed heartbeats.
 */
import type { TableName } from '../../../protocol/index.ts';
import type { RecordRef } from '../../store/types.ts';
import type { BroadcastMessage, SyncChannel } from '../broadcast.ts';
import type { Timers } from '../timers.ts';

/** Who else has the app open, and what they are editing. */
export interface Presence {
  tabs: number;
  editing: { tabId: string; table: TableName; id: string }[];
}

export const HEARTBEAT_MS = 5_000;
/** A tab not heard from for this long is gone. */
export const PRESENCE_TIMEOUT_MS = 3 * HEARTBEAT_MS;

export interface PresenceDeps {
  channel: SyncChannel;
  tabId: string;
  now(): number;
  timers: Timers;
  onChange(presence: Presence): void;
}

interface PeerState {
  lastSeen: number;
  editing: RecordRef | null;
}

export class PresenceTracker {
  private readonly peers = new Map<string, PeerState>();
  private editing: RecordRef | null = null;
  private heartbeat: unknown = null;
  private unsubscribe: (() => void) | null = null;
  private last = '';

  constructor(private readonly deps: PresenceDeps) {}

  /** Announces this tab and starts listening; call `stop()` on pagehide. */
  start(): void {
    this.unsubscribe = this.deps.channel.subscribe((message) => this.receive(message));
    this.announce('hello');
    this.schedule();
    this.emit();
  }

  /** Says bye so the other tabs drop this one at once. */
  stop(): void {
    this.deps.channel.post({ type: 'bye', tabId: this.deps.tabId });
    if (this.heartbeat !== null) this.deps.timers.clearTimeout(this.heartbeat);
    this.heartbeat = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Tells the other tabs which record this tab edits (null: none). */
  setEditing(record: RecordRef | null): void {
    this.editing = record ? { table: record.table, id: record.id } : null;
    this.announce('heartbeat');
  }

  current(): Presence {
    const now = this.deps.now();
    const editing: Presence['editing'] = [];
    for (const [tabId, peer] of this.peers) {
      if (now - peer.lastSeen > PRESENCE_TIMEOUT_MS) {
        this.peers.delete(tabId);
        continue;
      }
      if (peer.editing) editing.push({ tabId, ...peer.editing });
    }
    return { tabs: this.peers.size + 1, editing };
  }

  private announce(type: 'hello' | 'heartbeat') {
    this.deps.channel.post({ type, tabId: this.deps.tabId, editing: this.editing });
  }

  private schedule() {
    this.heartbeat = this.deps.timers.setTimeout(() => {
      this.announce('heartbeat');
      this.emit();
      this.schedule();
    }, HEARTBEAT_MS);
  }

  private receive(message: BroadcastMessage) {
    if (message.type === 'bye') {
      this.peers.delete(message.tabId);
    } else if (message.type === 'hello' || message.type === 'heartbeat') {
      if (message.tabId === this.deps.tabId) return;
      this.peers.set(message.tabId, { lastSeen: this.deps.now(), editing: message.editing });
      // A newcomer learns about this tab now rather than at the next heartbeat.
      if (message.type === 'hello') this.announce('heartbeat');
    } else {
      return;
    }
    this.emit();
  }

  private emit() {
    const presence = this.current();
    const key = JSON.stringify(presence);
    if (key === this.last) return;
    this.last = key;
    this.deps.onChange(presence);
  }
}
