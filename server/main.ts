/**
 * `npm start`: the server. Prints exactly one line to stdout, `Burrow listening on http://HOST:PORT`.
 * `npm start` runs it as `exec node --import tsx server/main.ts`: npm forwards SIGTERM and SIGINT
 * to its child, and `exec` makes that child this process rather than a shell (dash neither
 * forwards the signal nor execs a lone command, so the server outlived npm and held the port).
 */
import { loadConfig } from './config.ts';
import { createJsonLogger } from './logger.ts';
import { startServer } from './server.ts';

const logger = createJsonLogger();

try {
  const config = loadConfig(process.argv.slice(2), process.env);
  const running = await startServer(config, logger);
  process.stdout.write(`Burrow listening on ${running.url}\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    // Ctrl-C in a terminal reaches this process twice (from the terminal and forwarded by npm).
    if (stopping) return;
    stopping = true;
    logger.log('info', 'shutting down', { signal });
    void running.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  logger.log('error', 'failed to start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
