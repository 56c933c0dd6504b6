/** The worker thread that parses pages, so a large page never stalls the server's event loop. */
import { parentPort } from 'node:worker_threads';
import { type ExtractRequest, extractPage } from './page-extraction.ts';

parentPort?.on('message', (request: ExtractRequest) => {
  extractPage(request, (message) => parentPort?.postMessage(message));
});
// Loaded: the extractor starts a page's time budget only from here.
parentPort?.postMessage({ kind: 'ready' });
