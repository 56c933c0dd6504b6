/** The page's own engine, for when no service worker controls the page (first load, unsupported, private mode). */
import { COMMIT_COALESCE_MS } from '../commit-gathering.ts';
import type { EngineHandle } from '../engine-handle.ts';
import { engineCalls, SyncEngine, type SyncEngineDeps } from '../sync-engine.ts';

/** An engine running in the page; `stop()` ends its timers when a worker takes over. */
export interface LocalEngine extends EngineHandle {
  stop(): void;
}

/** Starts an engine in this page; its commits gather for COMMIT_COALESCE_MS unless `deps` say otherwise. */
export function startLocalEngine(deps: SyncEngineDeps): LocalEngine {
  const engine = new SyncEngine({ ...deps, commitCoalesceMs: deps.commitCoalesceMs ?? COMMIT_COALESCE_MS });
  return {
    ...engineCalls(engine),
    trigger: (trigger) => void engine.trigger(trigger),
    poke: (cursor) => void engine.pull(cursor ?? undefined),
    stop: () => engine.stop(),
  };
}
