/** Starts link previews for a server: the page reader, the runner and its policy from the config. */
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../storage/store.ts';
import type { MediaStore } from './media-store.ts';
import { PageExtractor } from './page-extractor.ts';
import { DEFAULT_PREVIEW_POLICY } from './preview-policy.ts';
import { PreviewRunner } from './preview-runner.ts';
import { unfurl } from './unfurl.ts';

/** The time limit of each fetch (a page, an image), redirects included. */
const FETCH_TIMEOUT_MS = 10_000;
/** What reading one page (metadata and Readability) may take in the worker thread. */
export const READING_BUDGET_MS = 8_000;

export interface RunningPreviews {
  runner: PreviewRunner | null;
  stop(): Promise<void>;
}

export async function startPreviews(
  store: Store,
  config: ServerConfig,
  logger: Logger,
  media: MediaStore,
  /** A page reader to share (tests start many servers); by default one of its own, ended on stop. */
  shared?: { extractor: PageExtractor },
): Promise<RunningPreviews> {
  if (!config.unfurl.enabled) return { runner: null, stop: async () => {} };
  const extractor = shared?.extractor ?? new PageExtractor(READING_BUDGET_MS);
  extractor.warmUp();
  const userAgent = `Burrow/${config.version} (link previews)`;
  const runner = new PreviewRunner({
    store,
    logger,
    policy: { ...DEFAULT_PREVIEW_POLICY, hostGapMs: config.unfurl.hostGapMs, retryBaseMs: config.unfurl.retryBaseMs },
    mediaQuotaBytes: config.unfurl.mediaQuotaBytes,
    unfurl: (url, signal, mediaBudget) =>
      unfurl(url, {
        allowPrivate: config.unfurl.allowPrivate,
        userAgent,
        timeoutMs: FETCH_TIMEOUT_MS,
        media,
        extractor,
        signal,
        mediaBudget,
      }),
  });
  // The embedded store has one server process: leases a crash left behind are free at once.
  await runner.start({ releaseLeases: store.kind === 'sqlite' });
  return {
    runner,
    stop: async () => {
      await runner.stop();
      if (!shared) await extractor.close();
    },
  };
}
