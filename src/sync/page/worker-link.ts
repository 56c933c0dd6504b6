/**
 * The page's line to the service worker: Comlink over a MessageChannel whose port is posted
 * to `navigator.serviceWorker.controller`. Every call has a timeout; a call that times out
 * (the worker was stopped, so the port is dead) re-handshakes once and tries again.
 */
import { type Remote, releaseProxy, wrap } from 'comlink';
import type { Timers } from '../timers.ts';
import { CONNECT_MESSAGE, type WorkerApi, type WorkerMessage } from '../worker-protocol.ts';

/** No controlling worker answered: the caller runs the engine in the page instead. */
export class WorkerUnavailableError extends Error {
  override name = 'WorkerUnavailableError';
}

type ContainerLike = Pick<ServiceWorkerContainer, 'controller'>;

export interface WorkerLinkOptions {
  container: ContainerLike | null;
  timers: Timers;
  /** Timeout of a short call (and of the liveness ping before a long one). */
  callTimeoutMs?: number;
  /** Timeout of a call that drains or pulls (flush, syncNow, pull, accountChanged). */
  longCallTimeoutMs?: number;
}

type Method = keyof WorkerApi;
type Result<M extends Method> = Awaited<ReturnType<WorkerApi[M]>>;

const LONG_CALLS: ReadonlySet<Method> = new Set(['flush', 'syncNow', 'pull', 'accountChanged']);

export class WorkerLink {
  private remote: Remote<WorkerApi> | null = null;
  private remoteFor: ServiceWorker | null = null;

  constructor(private readonly options: WorkerLinkOptions) {}

  /** True when a worker controls the page (the engine then runs there). */
  available(): boolean {
    return Boolean(this.options.container?.controller);
  }

  /** Posts a trigger to the controlling worker; false when there is none. */
  post(message: WorkerMessage): boolean {
    const controller = this.options.container?.controller;
    if (!controller) return false;
    controller.postMessage(message);
    return true;
  }

  /** Calls the worker; rejects with WorkerUnavailableError when it cannot be reached. */
  async call<M extends Method>(method: M, ...args: Parameters<WorkerApi[M]>): Promise<Result<M>> {
    try {
      return await this.attempt(method, args, false);
    } catch (error) {
      if (error instanceof WorkerUnavailableError && !this.available()) throw error;
      // The port may be dead (worker restarted): one fresh handshake, one more try.
      return this.attempt(method, args, true);
    }
  }

  private async attempt<M extends Method>(method: M, args: unknown[], fresh: boolean): Promise<Result<M>> {
    const remote = this.connect(fresh);
    const short = this.options.callTimeoutMs ?? 3_000;
    if (LONG_CALLS.has(method)) await this.withTimeout(remote.ping(), short);
    const timeout = LONG_CALLS.has(method) ? (this.options.longCallTimeoutMs ?? 120_000) : short;
    const invoke = remote[method] as unknown as (...args: unknown[]) => Promise<Result<M>>;
    return this.withTimeout(invoke(...args), timeout);
  }

  private connect(fresh: boolean): Remote<WorkerApi> {
    const controller = this.options.container?.controller;
    if (!controller) throw new WorkerUnavailableError('no controlling service worker');
    if (this.remote && !fresh && this.remoteFor === controller) return this.remote;
    this.close();
    const channel = new MessageChannel();
    controller.postMessage({ type: CONNECT_MESSAGE }, [channel.port2]);
    this.remote = wrap<WorkerApi>(channel.port1);
    this.remoteFor = controller;
    return this.remote;
  }

  private withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.options.timers.setTimeout(
        () => reject(new WorkerUnavailableError(`no answer in ${ms} ms`)),
        ms,
      );
      promise.then(
        (value) => {
          this.options.timers.clearTimeout(timer);
          resolve(value);
        },
        (error) => {
          this.options.timers.clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Drops the current port (a new controller, or the page going away). */
  close(): void {
    if (this.remote) this.remote[releaseProxy]();
    this.remote = null;
    this.remoteFor = null;
  }
}
