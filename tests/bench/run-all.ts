/** `npm run bench`: runs every tests/bench/*.bench.ts in turn, then prints and saves one report. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, RESULTS_DIR, readAllBenchResults } from './bench-report.ts';

const BENCH_DIR = fileURLToPath(new URL('./', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function main(): Promise<void> {
  const benches = readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.bench.ts'))
    .sort();
  const failed: string[] = [];
  for (const bench of benches) {
    console.log(`\n=== ${bench} ===`);
    // One process per benchmark: none inherits another's heap, JIT state or open databases.
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(BENCH_DIR, bench)], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    if (run.status !== 0) failed.push(bench);
  }

  const rows = await readAllBenchResults();
  const table = markdownTable(rows);
  console.log(`\n${table}\n`);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(join(RESULTS_DIR, 'report.json'), `${JSON.stringify(rows, null, 2)}\n`);
  if (failed.length > 0) {
    console.error(`benchmarks that failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
