/** Starts the HTTP server: store, app, maintenance; and stops it gracefully. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { ensureBuilt } from './build-check.ts';
import type { ServerConfig } from './config.ts';
import { PokeHub } from './events/poke-hub.ts';
import { limitConnections, timeoutOptions } from './http/connection-limits.ts';
import type { Logger } from './logger.ts';
import { startMaintenance } from './maintenance.ts';
import { MediaStore } from './previews/media-store.ts';
import { startPreviews } from './previews/start-previews.ts';
import { openStorage } from './storage/open-storage.ts';

export interface RunningServer {
  /** `http://HOST:PORT` with the real port. */
  url: string;
  /** Stops accepting, ends event streams at once, finishes in-flight requests, closes the database. */
  stop(): Promise<void>;
}

/** How long in-flight requests get on shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;
/** While stopping, how often connections that have become idle (an ended stream's) are closed. */
const IDLE_SWEEP_MS = 25;

export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  if (!config.skipBuild) await ensureBuilt(config.rootDir, logger);
  const { store, limiters } = await openStorage(config, logger);
  const hub = new PokeHub(store, config);
  const media = new MediaStore(path.join(config.dataDir, 'media'));
  const app = createApp({ store, config, logger, hub, limiters, media });
  const stopMaintenance = startMaintenance(store, config, logger);
  const previews = await startPreviews(store, config, logger, media);

  const { server, address } = await new Promise<{ server: Server; address: AddressInfo }>((resolve, reject) => {
    const created = serve(
      { fetch: app.fetch, port: config.port, hostname: config.host, serverOptions: timeoutOptions(config) },
      (info) => resolve({ server: created, address: info }),
    ) as Server;
    limitConnections(created, config);
    created.once('error', reject);
  });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      stopMaintenance();
      hub.closeAll();
      // An ended stream leaves its connection open for keep-alive, and server.close() closes
      // only the connections idle at the moment it is called: sweep until every one is gone.
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      force.unref();
      server.close(() => {
        clearInterval(sweep);
        clearTimeout(force);
        void previews
          .stop()
          .then(() => store.close())
          .then(resolve);
      });
    });
    return stopping;
  };
  return { url: `http://${host}:${address.port}`, stop };
}
