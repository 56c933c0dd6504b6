/**
 * Runs page extraction in one worker thread with a time budget per page: linkedom and
 * Readability cost about a second per 100 KiB of dense HTML here, so on the event loop a
 * 2 MiB page would stall every request for tens of seconds. Past the budget the worker is
 * ended (and started again for the next page); the page keeps its metadata, without text.
 */
import { Worker } from 'node:worker_threads';
import type { ExtractMessage, ExtractRequest } from './page-extraction.ts';
import type { PageMetadata } from './page-metadata.ts';
import { UnfurlError } from './unfurl-error.ts';

export interface ExtractedPage {
  metadata: PageMetadata;
  articleText: string | null;
}

const WORKER_URL = new URL('./extract-worker-entry.mjs', import.meta.url);

export class PageExtractor {
  /** The thread, once it has loaded its code (the first start takes seconds: tsx compiles). */
  private worker: Promise<Worker> | null = null;
  /** The thread itself, loaded or not, so closing never waits for it to load. */
  private thread: Worker | null = null;
  private nextId = 1;
  /** Extractions run one at a time: the worker is one thread. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly budgetMs: number) {}

  /** Metadata and text of a fetched page; throws UnfurlError when even the metadata is not had in time. */
  extract(body: Buffer, charset: string | null, url: string, maxTextCharacters: number): Promise<ExtractedPage> {
    const run = this.queue.then(() => this.run({ id: this.nextId++, body, charset, url, maxTextCharacters }));
    this.queue = run.catch(() => {});
    return run;
  }

  /** Ends the worker (the server is stopping). */
  async close(): Promise<void> {
    const thread = this.thread;
    this.worker = null;
    this.thread = null;
    // Not waiting for a thread still loading: it is ended where it is.
    await thread?.terminate();
  }

  /** Starts the thread ahead of the first page (the runner does at start). */
  warmUp(): void {
    this.worker ??= this.start();
  }

  /** Resolves once the thread has loaded its code. */
  async ready(): Promise<void> {
    this.warmUp();
    await this.worker;
  }

  private start(): Promise<Worker> {
    const worker = new Worker(WORKER_URL);
    this.thread = worker;
    worker.unref();
    const ready = new Promise<Worker>((resolve, reject) => {
      worker.once('message', () => resolve(worker));
      worker.once('error', reject);
      worker.once('exit', () => reject(new UnfurlError('The page reader stopped.', true)));
    });
    worker.once('exit', () => {
      if (this.worker === ready) this.worker = null;
      if (this.thread === worker) this.thread = null;
    });
    ready.catch(() => {
      if (this.worker === ready) this.worker = null;
    });
    return ready;
  }

  private async run(request: ExtractRequest): Promise<ExtractedPage> {
    this.worker ??= this.start();
    const starting = this.worker;
    const worker = await starting;
    return new Promise<ExtractedPage>((resolve, reject) => {
      let metadata: PageMetadata | null = null;
      const finish = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      const onMessage = (message: ExtractMessage) => {
        if (message.id !== request.id) return;
        if (message.kind === 'metadata') {
          metadata = message.metadata;
          return;
        }
        finish();
        if (message.kind === 'text' && metadata) resolve({ metadata, articleText: message.articleText });
        else reject(new UnfurlError('The page could not be read.', false));
      };
      const onError = (error: Error) => {
        finish();
        reject(new UnfurlError('The page could not be read.', false, { cause: error }));
      };
      const timer = setTimeout(() => {
        finish();
        // Readability is still at it: end the thread; what is known already counts.
        if (this.worker === starting) this.worker = null;
        void worker.terminate();
        if (metadata) resolve({ metadata, articleText: null });
        else reject(new UnfurlError('The page is too large to read in time.', false));
      }, this.budgetMs);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.postMessage(request);
    });
  }
}
