/** Periodic jobs: purge tombstones past retention, reap old idempotent responses, push outcomes, expired sessions and unused preview images. */
import path from 'node:path';
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { MediaStore } from './previews/media-store.ts';
import type { Store } from './storage/store.ts';

/**
 * How long a preview image outlives the last card that showed it: a grant no card refers to, and
 * a file no one is granted, go only after this (an undo, a fetch between storing and granting).
 */
export const MEDIA_GRACE_MS = 24 * 60 * 60 * 1000;

/** Runs the jobs once; never rejects (a failure is logged and retried next time). */
export async function runMaintenance(
  store: Store,
  config: ServerConfig,
  logger: Logger,
  now = Date.now(),
): Promise<void> {
  try {
    const purged = await store.purgeTombstones(new Date(now - config.tombstoneRetentionMs).toISOString());
    const reaped = await store.reapIdempotency(now - config.idempotencyRetentionMs);
    // Kept as long as tombstones, the server's longest memory of a change; a resend later than
    // that gets a plain `duplicate` (docs/protocol.md, Results).
    const outcomes = await store.reapOutcomes(now - config.tombstoneRetentionMs);
    // Grants first: a file goes once nobody is granted it.
    const grants = await store.reapMediaGrants(now - MEDIA_GRACE_MS, now);
    const media = new MediaStore(path.join(config.dataDir, 'media'));
    const files = await media.reapUnused(now - MEDIA_GRACE_MS, (hashes) => store.grantedMedia(hashes));
    if (purged > 0 || reaped > 0 || outcomes > 0 || grants > 0 || files > 0) {
      logger.log('info', 'maintenance', {
        purgedTombstones: purged,
        reapedKeys: reaped,
        reapedOutcomes: outcomes,
        reapedMediaGrants: grants,
        reapedMediaFiles: files,
      });
    }
  } catch (error) {
    logger.log('error', 'maintenance failed', { error: error instanceof Error ? error.message : String(error) });
  }
}

/** Runs the jobs when no process sharing the database has run them within the interval; never rejects. */
async function runWhenClaimed(store: Store, config: ServerConfig, logger: Logger): Promise<void> {
  const now = Date.now();
  try {
    if (!(await store.claimMaintenance(now, config.purgeIntervalMs))) return;
  } catch (error) {
    logger.log('error', 'maintenance failed', { error: error instanceof Error ? error.message : String(error) });
    return;
  }
  await runMaintenance(store, config, logger, now);
}

/**
 * Starts the jobs every `purgeIntervalMs` (first run at once); returns the stop function.
 * Several processes on one database each keep the timer, and one of them claims each run.
 */
export function startMaintenance(store: Store, config: ServerConfig, logger: Logger): () => void {
  let running: Promise<void> = runWhenClaimed(store, config, logger);
  const timer = setInterval(() => {
    running = running.then(() => runWhenClaimed(store, config, logger));
  }, config.purgeIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
