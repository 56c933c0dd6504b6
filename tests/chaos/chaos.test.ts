/**
 * The short chaos runs of `npm test`: two devices of two tabs and a REST script, a few hundred
 * operations under every fault, then the audit, on SQLite and on PostgreSQL under three servers
 * (with the database's own faults). Every count must be zero.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from './chaos-run.ts';

const SEED = 20_261_121;
const OPS = 300;
const PG_SEED = 20_261_207;
const PG_OPS = 200;

describe('chaos', () => {
  it(`loses and duplicates nothing (seed ${SEED}, ${OPS} ops)`, { timeout: 170_000 }, async () => {
    const lines: string[] = [];
    const { report, line } = await runChaos({
      ops: OPS,
      seed: SEED,
      settleTimeoutMs: 60_000,
      log: (l) => lines.push(l),
    });
    const problems = report.problems.join('\n');
    const clean = report.lost + report.duplicated + report.stuck + report.diverged === 0;
    if (!clean) console.error(lines.join('\n'));
    // Every op was committed and judged; the faults actually hit the wire.
    expect(report.ops).toBeGreaterThanOrEqual(OPS);
    expect(lines.some((l) => l.startsWith('fault '))).toBe(true);
    expect(report.lost, problems).toBe(0);
    expect(report.duplicated, problems).toBe(0);
    expect(report.stuck, problems).toBe(0);
    expect(report.diverged, problems).toBe(0);
    console.log(line);
  });
});

describe('chaos on PostgreSQL under three servers', () => {
  it(`loses and duplicates nothing (seed ${PG_SEED}, ${PG_OPS} ops)`, { timeout: 240_000 }, async () => {
    const lines: string[] = [];
    const { report, line } = await runChaos({
      ops: PG_OPS,
      seed: PG_SEED,
      settleTimeoutMs: 60_000,
      db: 'postgres',
      servers: 3,
      log: (l) => lines.push(l),
    });
    const problems = report.problems.join('\n');
    const clean = report.lost + report.duplicated + report.stuck + report.diverged === 0;
    if (!clean) console.error(lines.join('\n'));
    expect(report.ops).toBeGreaterThanOrEqual(PG_OPS);
    expect(lines.some((l) => l.startsWith('fault '))).toBe(true);
    expect(report.lost, problems).toBe(0);
    expect(report.duplicated, problems).toBe(0);
    expect(report.stuck, problems).toBe(0);
    expect(report.diverged, problems).toBe(0);
    console.log(line);
  });
});
