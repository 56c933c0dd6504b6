/** Benchmark results: the row every benchmark reports, its JSON file, and the Markdown table. */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where every benchmark writes `<name>.json`, and run-all writes `report.json`. */
export const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url));

/** One measured figure. `ratio` is always `value / baseline`, whichever direction is better. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The same work done the plain way (raw SQLite, raw IndexedDB, stock Workbox), or null. */
  baseline: number | null;
  ratio: number | null;
  /** What passing means, for people: `ratio ≥ 0.5`, `value ≥ 100000 changes/s`. */
  target: string | null;
  /** null when the row has no target. */
  pass: boolean | null;
}

/** A bound on the ratio or on the value itself. */
export interface Target {
  on: 'ratio' | 'value';
  atLeast?: number;
  atMost?: number;
}

export interface RowInput {
  name: string;
  value: number;
  unit: string;
  baseline?: number | null;
  target?: Target;
}

/** Builds a row: computes the ratio and whether the target is met. */
export function benchRow({ name, value, unit, baseline = null, target }: RowInput): BenchRow {
  const ratio = baseline ? value / baseline : null;
  if (!target) return { name, value, unit, baseline, ratio, target: null, pass: null };
  const measured = target.on === 'ratio' ? ratio : value;
  const pass =
    measured !== null &&
    (target.atLeast === undefined || measured >= target.atLeast) &&
    (target.atMost === undefined || measured <= target.atMost);
  return { name, value, unit, baseline, ratio, target: describeTarget(target, unit), pass };
}

function describeTarget(target: Target, unit: string): string {
  const subject = target.on === 'ratio' ? 'ratio' : 'value';
  const suffix = target.on === 'value' ? ` ${unit}` : '';
  const bounds: string[] = [];
  if (target.atLeast !== undefined) bounds.push(`${subject} ≥ ${target.atLeast}${suffix}`);
  if (target.atMost !== undefined) bounds.push(`${subject} ≤ ${target.atMost}${suffix}`);
  return bounds.join(' and ');
}

/** Writes `bench-results/<benchmark>.json` and returns its path. */
export async function writeBenchResults(benchmark: string, rows: BenchRow[]): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${benchmark}.json`);
  await writeFile(file, `${JSON.stringify(rows, null, 2)}\n`);
  return file;
}

/** Every row of every `bench-results/*.json` but the combined report, file by file. */
export async function readAllBenchResults(): Promise<BenchRow[]> {
  const files = (await readdir(RESULTS_DIR).catch(() => [] as string[]))
    .filter((file) => file.endsWith('.json') && file !== 'report.json')
    .sort();
  const rows: BenchRow[] = [];
  for (const file of files) rows.push(...(JSON.parse(await readFile(join(RESULTS_DIR, file), 'utf8')) as BenchRow[]));
  return rows;
}

/** Formats a number for a table: integers with separators, small values with 3 significant digits. */
export function formatNumber(value: number | null): string {
  if (value === null) return '–';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** A Markdown table: figure, Burrow, baseline, ratio, target, pass. */
export function markdownTable(rows: BenchRow[]): string {
  const lines = [
    '| figure | Burrow | baseline | ratio | target | pass |',
    '| --- | ---: | ---: | ---: | --- | :---: |',
  ];
  for (const row of rows) {
    const pass = row.pass === null ? '–' : row.pass ? 'yes' : 'NO';
    const cells = [
      row.name,
      `${formatNumber(row.value)} ${row.unit}`,
      row.baseline === null ? '–' : `${formatNumber(row.baseline)} ${row.unit}`,
      formatNumber(row.ratio),
      row.target ?? '–',
      pass,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
