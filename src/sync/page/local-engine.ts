/** The page's own engine, for when no service worker controls the page (first load, unsupported, private mode). */
import { type EngineHandle, engineCalls } from '../engine-handle.ts';
import { SyncEngine, type SyncEngineDeps } from '../sync-engine.ts';

/** An engine running in the page; `stop()` ends its timers when a worker takes over. */
export interface LocalEngine extends EngineHandle {
  stop(): void;
}

/** Starts an engine in this page. */
export function startLocalEngine(deps: SyncEngineDeps): LocalEngine {
  const engine = new SyncEngine(deps);
  return {
    ...engineCalls(engine),
    trigger: (trigger) => void engine.trigger(trigger),
    stop: () => engine.stop(),
  };
}
