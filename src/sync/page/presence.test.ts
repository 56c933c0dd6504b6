import { describe, expect, it } from 'vitest';
import type { BroadcastMessage, SyncChannel } from '../broadcast.ts';
import { PRESENCE_TIMEOUT_MS, type Presence, PresenceTracker } from './presence.ts';

/** An in-memory channel bus: a message reaches every other member, never its sender. */
function bus() {
  const members = new Set<{ listeners: Set<(message: BroadcastMessage) => void> }>();
  return () => {
    const member = { listeners: new Set<(message: BroadcastMessage) => void>() };
    members.add(member);
    const channel: SyncChannel = {
      post: (message) => {
        for (const other of members) if (other !== member) for (const listener of other.listeners) listener(message);
      },
      subscribe: (listener) => {
        member.listeners.add(listener);
        return () => member.listeners.delete(listener);
      },
      close: () => members.delete(member),
    };
    return channel;
  };
}

const noTimers = { setTimeout: () => 0, clearTimeout: () => {} };

function tab(join: () => SyncChannel, tabId: string, clock: { now: number }) {
  const seen: Presence[] = [];
  const tracker = new PresenceTracker({
    channel: join(),
    tabId,
    now: () => clock.now,
    timers: noTimers,
    onChange: (presence) => seen.push(presence),
  });
  tracker.start();
  return { tracker, seen };
}

describe('PresenceTracker', () => {
  it('counts every open tab in each tab, the newcomer included', () => {
    const join = bus();
    const clock = { now: 0 };
    const a = tab(join, 'a', clock);
    const b = tab(join, 'b', clock);
    expect(a.tracker.current().tabs).toBe(2);
    expect(b.tracker.current().tabs).toBe(2);
  });

  it('shows which record another tab is editing', () => {
    const join = bus();
    const clock = { now: 0 };
    const a = tab(join, 'a', clock);
    const b = tab(join, 'b', clock);
    b.tracker.setEditing({ table: 'cards', id: 'c1' });
    expect(a.seen.at(-1)).toEqual({ tabs: 2, editing: [{ tabId: 'b', table: 'cards', id: 'c1' }] });
    b.tracker.setEditing(null);
    expect(a.seen.at(-1)).toEqual({ tabs: 2, editing: [] });
  });

  it('drops a tab that says bye', () => {
    const join = bus();
    const clock = { now: 0 };
    const a = tab(join, 'a', clock);
    const b = tab(join, 'b', clock);
    b.tracker.stop();
    expect(a.seen.at(-1)?.tabs).toBe(1);
  });

  it('drops a tab that stopped sending heartbeats', () => {
    const join = bus();
    const clock = { now: 0 };
    const a = tab(join, 'a', clock);
    tab(join, 'b', clock);
    clock.now += PRESENCE_TIMEOUT_MS + 1;
    expect(a.tracker.current().tabs).toBe(1);
  });
});
