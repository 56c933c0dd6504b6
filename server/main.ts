/** `npm start`: the server. Prints exactly one line to stdout, `Burrow listening on http://HOST:PORT`. */
import { loadConfig } from './config.ts';
import { createJsonLogger } from './logger.ts';
import { startServer } from './server.ts';

const logger = createJsonLogger();

try {
  const config = loadConfig(process.argv.slice(2), process.env);
  const running = await startServer(config, logger);
  process.stdout.write(`Burrow listening on ${running.url}\n`);
  const shutdown = (signal: string) => {
    logger.log('info', 'shutting down', { signal });
    void running.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  logger.log('error', 'failed to start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
