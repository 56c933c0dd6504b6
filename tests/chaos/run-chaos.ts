/**
 * `npm run chaos -- --ops 10000 --seed 42 [--devices 3] [--tabs 2] [--db postgres --servers 3] [--quiet]`:
 * one long chaos run (on PostgreSQL: a throwaway cluster, the servers sharing it, database faults too).
 * Prints progress, then exactly one final line `ops=N lost=0 duplicated=0 stuck=0 diverged=0 seed=S`,
 * and exits non-zero when any count is not zero.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './chaos-run.ts';
import { randomSeed } from './prng.ts';

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '2000' },
    seed: { type: 'string' },
    devices: { type: 'string', default: '2' },
    tabs: { type: 'string', default: '2' },
    'settle-timeout': { type: 'string', default: '180' },
    quiet: { type: 'boolean', default: false },
    db: { type: 'string', default: 'sqlite' },
    servers: { type: 'string', default: '1' },
  },
});

const seed = values.seed === undefined ? randomSeed() : Number(values.seed);
const started = Date.now();
const log = values.quiet
  ? () => undefined
  : (line: string) => process.stderr.write(`[chaos ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
process.stderr.write(`chaos seed=${seed}\n`);

const result = await runChaos({
  ops: Number(values.ops),
  seed,
  devices: Number(values.devices),
  tabsPerDevice: Number(values.tabs),
  settleTimeoutMs: Number(values['settle-timeout']) * 1000,
  log,
  db: values.db === 'postgres' ? 'postgres' : 'sqlite',
  servers: Number(values.servers),
});
const { report } = result;
log(
  `faults ${JSON.stringify(Object.fromEntries(result.faults))}; unverified ${report.unverified}; of the lost, answers lost before a duplicate ${report.lostAnswers}`,
);
process.stdout.write(`${result.line}\n`);
process.exitCode = report.lost + report.duplicated + report.stuck + report.diverged === 0 ? 0 : 1;
