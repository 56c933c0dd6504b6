import { expose } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { INITIAL_STATUS } from '../sync-status.ts';
import { CONNECT_MESSAGE, type WorkerApi } from '../worker-protocol.ts';
import { WorkerLink, WorkerUnavailableError } from './worker-link.ts';

/** A stand-in for the controlling worker: exposes the API on every port it is handed. */
class FakeController {
  readonly ports: MessagePort[] = [];
  readonly triggers: unknown[] = [];
  handshakes = 0;
  readonly api: WorkerApi = {
    ping: () => 'pong',
    status: async () => ({ ...INITIAL_STATUS, pending: 7 }),
    flush: async () => ({ ...INITIAL_STATUS, state: 'synced' }),
    syncNow: async () => INITIAL_STATUS,
    pull: async () => INITIAL_STATUS,
    accountChanged: async () => INITIAL_STATUS,
  };

  postMessage(message: { type: string }, transfer?: Transferable[]) {
    if (message.type !== CONNECT_MESSAGE) {
      this.triggers.push(message);
      return;
    }
    this.handshakes++;
    const port = transfer?.[0] as MessagePort;
    this.ports.push(port);
    expose(this.api, port);
  }

  /** The worker was stopped: every port it held is dead. */
  restart() {
    for (const port of this.ports.splice(0)) port.close();
  }
}

const realTimers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

let links: WorkerLink[] = [];
afterEach(() => {
  for (const link of links) link.close();
  links = [];
});

function linkTo(controller: FakeController | null) {
  const link = new WorkerLink({
    container: { controller: controller as unknown as ServiceWorker | null },
    timers: realTimers,
    callTimeoutMs: 1_000,
  });
  links.push(link);
  return link;
}

describe('WorkerLink', () => {
  it('calls the worker over one handshaken port', async () => {
    const controller = new FakeController();
    const link = linkTo(controller);
    expect((await link.call('status')).pending).toBe(7);
    expect((await link.call('flush')).state).toBe('synced');
    expect(controller.handshakes).toBe(1);
  });

  it('re-handshakes when the port went dead with a restarted worker', async () => {
    const controller = new FakeController();
    const link = linkTo(controller);
    await link.call('status');
    controller.restart();
    expect((await link.call('status')).pending).toBe(7);
    expect(controller.handshakes).toBe(2);
  });

  it('says the worker is unavailable without a controller', async () => {
    const link = linkTo(null);
    expect(link.available()).toBe(false);
    expect(link.post({ type: 'committed' })).toBe(false);
    await expect(link.call('status')).rejects.toBeInstanceOf(WorkerUnavailableError);
  });

  it('posts triggers to the controller itself, not over the port', () => {
    const controller = new FakeController();
    expect(linkTo(controller).post({ type: 'committed' })).toBe(true);
    expect(controller.triggers).toEqual([{ type: 'committed' }]);
  });
});
