// The worker thread's entry: the server runs TypeScript through tsx, so the thread registers
// tsx's loader before importing the TypeScript worker (a Worker's execArgv cannot carry --import).
import { register } from 'tsx/esm/api';

register();
await import('./extract-worker.ts');
