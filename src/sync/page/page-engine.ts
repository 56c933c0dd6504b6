/**
 * The engine as the page drives it: the service worker's when one controls the page, else the
 * page's own. A call the worker does not answer (it was stopped, or is gone) runs on the page's
 * engine instead, which is started on first use.
 */
import type { EngineCalls, EngineHandle } from '../engine-handle.ts';
import type { SyncStatus } from '../sync-status.ts';
import type { PageTrigger } from '../triggers.ts';
import type { LocalEngine } from './local-engine.ts';
import { type WorkerLink, WorkerUnavailableError } from './worker-link.ts';

export class PageEngine implements EngineHandle {
  private local: Promise<LocalEngine> | null = null;

  constructor(
    private readonly link: WorkerLink,
    private readonly startLocal: () => Promise<LocalEngine>,
  ) {}

  /** Whether a worker controls the page: the engine then runs there. */
  get inWorker(): boolean {
    return this.link.available();
  }

  trigger(trigger: PageTrigger): void {
    if (this.link.post({ type: trigger })) return;
    void this.localEngine().then((engine) => engine.trigger(trigger));
  }

  /**
   * Posted like a trigger, not called: a call first pings the worker and then waits for its
   * answer, two round trips between the page and the worker on the way from a change on
   * another device to this one's pull.
   */
  poke(cursor: number | null): void {
    if (this.link.post({ type: 'poke', cursor })) return;
    void this.localEngine().then((engine) => engine.poke(cursor));
  }

  status(): Promise<SyncStatus> {
    return this.call('status');
  }

  flush(): Promise<SyncStatus> {
    return this.call('flush');
  }

  syncNow(): Promise<SyncStatus> {
    return this.call('syncNow');
  }

  pull(after?: number): Promise<SyncStatus> {
    return this.call('pull', after);
  }

  accountChanged(): Promise<SyncStatus> {
    return this.call('accountChanged');
  }

  /** A worker took control: it delivers from now on, and the page's engine stops its timers. */
  handOver(): void {
    this.link.close();
    void this.local?.then((engine) => engine.stop());
  }

  private localEngine(): Promise<LocalEngine> {
    if (!this.local) {
      const starting = this.startLocal();
      // A failure to start (its code could not be loaded) must not stick: the next call tries again.
      starting.catch(() => {
        if (this.local === starting) this.local = null;
      });
      this.local = starting;
    }
    return this.local;
  }

  /** Calls the worker's engine when one controls the page; the page's own when there is none or it does not answer. */
  private async call<M extends keyof EngineCalls>(method: M, ...args: Parameters<EngineCalls[M]>): Promise<SyncStatus> {
    if (this.link.available()) {
      try {
        return await this.link.call(method, ...args);
      } catch (error) {
        if (!(error instanceof WorkerUnavailableError)) throw error;
      }
    }
    const engine = await this.localEngine();
    return (engine[method] as (...args: Parameters<EngineCalls[M]>) => Promise<SyncStatus>)(...args);
  }
}
