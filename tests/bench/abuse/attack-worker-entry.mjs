// The attack worker's entry: it loads the TypeScript through tsx, since a worker thread does
// not inherit the loader of the tsx CLI that runs the bench.
import { tsImport } from 'tsx/esm/api';

await tsImport('./attack-worker.ts', import.meta.url);
