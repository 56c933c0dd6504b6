/** `npm run dev`: the API on 127.0.0.1:8788 and Vite's dev server, which proxies /api to it. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from './config.ts';
import { createJsonLogger } from './logger.ts';
import { startServer } from './server.ts';

const logger = createJsonLogger();
const config = { ...loadConfig(process.argv.slice(2), process.env), host: '127.0.0.1', port: 8788, skipBuild: true };
const api = await startServer(config, logger);
logger.log('info', 'API listening', { url: api.url });

const vite = spawn(path.join(config.rootDir, 'node_modules', '.bin', 'vite'), [], {
  cwd: config.rootDir,
  stdio: 'inherit',
  env: { ...process.env, BURROW_API_ORIGIN: api.url },
});

let exiting = false;
const exit = (code: number) => {
  if (exiting) return;
  exiting = true;
  if (vite.exitCode === null) vite.kill('SIGTERM');
  void api.stop().then(() => process.exit(code));
};
vite.on('exit', (code) => exit(code ?? 0));
process.once('SIGINT', () => exit(0));
process.once('SIGTERM', () => exit(0));
