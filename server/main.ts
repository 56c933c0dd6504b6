/**
 * `npm start`: the server. Prints exactly one line to stdout, `Burrow listening on http://HOST:PORT`.
 * With `--workers N` (PostgreSQL only) this process is the primary of N workers on one port
 * (`workers.ts`), and each worker runs the server below.
 */
import cluster from 'node:cluster';
import { loadConfig } from './config.ts';
import { createJsonLogger } from './logger.ts';
import { startServer } from './server.ts';
import { type ListeningMessage, runPrimary } from './workers.ts';

const logger = createJsonLogger();

try {
  const config = loadConfig(process.argv.slice(2), process.env);
  if (config.workers > 1 && cluster.isPrimary) {
    await runPrimary(config, logger);
  } else {
    const running = await startServer(config, logger);
    if (cluster.isWorker) process.send?.({ burrowListening: running.url } satisfies ListeningMessage);
    else process.stdout.write(`Burrow listening on ${running.url}\n`);
    const shutdown = (signal: string) => {
      logger.log('info', 'shutting down', { signal });
      void running.stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  }
} catch (error) {
  logger.log('error', 'failed to start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
