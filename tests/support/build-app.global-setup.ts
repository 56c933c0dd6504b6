/** Vitest global setup for the e2e project: builds the PWA into dist/ once per run when it is stale. */
import { ensureAppBuilt } from './browser.ts';

export default function setup(): void {
  ensureAppBuilt();
}
