/**
 * `--workers N`: N server processes behind one port with Node's cluster (the primary accepts
 * connections and hands them to the workers in turn), all on one PostgreSQL database. The
 * primary builds the app once, forks the workers, prints the one listening line when every
 * worker listens, replaces a worker that dies, and stops them all on SIGTERM/SIGINT.
 */
import cluster, { type Worker } from 'node:cluster';
import { ensureBuilt } from './build-check.ts';
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';

/** What a worker tells the primary once it listens. */
export interface ListeningMessage {
  burrowListening: string;
}

export function isListeningMessage(message: unknown): message is ListeningMessage {
  return typeof message === 'object' && message !== null && 'burrowListening' in message;
}

export async function runPrimary(config: ServerConfig, logger: Logger): Promise<void> {
  if (!config.skipBuild) await ensureBuilt(config.rootDir, logger);
  let stopping = false;
  let announced = false;
  const listening = new Set<Worker>();

  const fork = () => {
    // The primary built the app; the workers only serve it.
    const worker = cluster.fork({ BURROW_SKIP_BUILD: '1' });
    worker.on('message', (message: unknown) => {
      if (!isListeningMessage(message)) return;
      listening.add(worker);
      if (!announced && listening.size === config.workers) {
        announced = true;
        process.stdout.write(`Burrow listening on ${message.burrowListening}\n`);
      }
    });
    worker.once('exit', (code, signal) => {
      listening.delete(worker);
      if (stopping) return;
      logger.log('error', 'worker exited; starting another', { pid: worker.process.pid, code, signal });
      fork();
    });
  };
  for (let i = 0; i < config.workers; i++) fork();

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log('info', 'shutting down', { signal, workers: config.workers });
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const worker of workers) {
      worker.once('exit', () => {
        if (--left === 0) process.exit(0);
      });
      worker.process.kill('SIGTERM');
    }
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
