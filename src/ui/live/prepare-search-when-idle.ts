/** Preparing the search entries of a card list in the page's idle moments. */
import type { RecordView } from '../../api/client.ts';
import { prepareSearch } from './card-search.ts';

/** How long one idle step may prepare entries where the browser gives no idle deadline. */
const STEP_MS = 8;

/**
 * Prepares the entries of `cards` in idle moments (folding 10,000 articles takes a second or
 * more, which the first search would otherwise wait for); returns a function that stops.
 */
export function prepareSearchWhenIdle(cards: readonly RecordView[]): () => void {
  let stopped = false;
  let cancel = () => {};
  const schedule = () => {
    if ('requestIdleCallback' in globalThis) {
      const handle = requestIdleCallback((deadline) => step(() => deadline.timeRemaining() > 1));
      cancel = () => cancelIdleCallback(handle);
    } else {
      const handle = setTimeout(() => {
        const until = performance.now() + STEP_MS;
        step(() => performance.now() < until);
      }, 50);
      cancel = () => clearTimeout(handle);
    }
  };
  const step = (hasTime: () => boolean) => {
    if (!stopped && !prepareSearch(cards, hasTime)) schedule();
  };
  schedule();
  return () => {
    stopped = true;
    cancel();
  };
}
