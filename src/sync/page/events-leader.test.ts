import { describe, expect, it } from 'vitest';
import { inProcessLock } from '../lock.ts';
import { startEventsLeader } from './events-leader.ts';

class FakeEventSource {
  static readonly CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readyState = 1;
  closed = false;
  private readonly listeners = new Map<string, ((event: { data?: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  addEventListener(type: string, listener: (event: { data?: string }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, data?: string) {
    for (const listener of this.listeners.get(type) ?? []) listener({ data });
  }
  close() {
    this.closed = true;
  }
}

const locks = { request: (name: string, task: () => Promise<unknown>) => inProcessLock(name, task) };
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function leader(pokes: (number | null)[]) {
  return startEventsLeader({
    onPoke: (cursor) => pokes.push(cursor),
    EventSourceImpl: FakeEventSource as unknown as typeof EventSource,
    locks: locks as unknown as LockManager,
  });
}

describe('startEventsLeader', () => {
  it('opens one connection for many tabs and hands it over when the leader stops', async () => {
    FakeEventSource.opened = [];
    const first: (number | null)[] = [];
    const second: (number | null)[] = [];
    const stopFirst = leader(first);
    const stopSecond = leader(second);
    await tick();
    expect(FakeEventSource.opened).toHaveLength(1);
    stopFirst();
    await tick();
    expect(FakeEventSource.opened).toHaveLength(2);
    expect(FakeEventSource.opened[0].closed).toBe(true);
    FakeEventSource.opened[1].emit('poke', '{"cursor":42}');
    expect(second).toEqual([42]);
    expect(first).toEqual([]);
    stopSecond();
  });

  it('asks for a pull on each (re)connection, since pokes may have been missed', async () => {
    FakeEventSource.opened = [];
    const pokes: (number | null)[] = [];
    const stop = leader(pokes);
    await tick();
    FakeEventSource.opened[0].emit('open');
    FakeEventSource.opened[0].emit('poke', 'not json');
    expect(pokes).toEqual([null, null]);
    stop();
  });
});
