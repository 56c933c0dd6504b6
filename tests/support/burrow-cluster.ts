/**
 * Several Burrow server processes on one PostgreSQL database, each on its own loopback port
 * (as several hosts behind a load balancer would be), for tests that cross processes.
 */
import { type ServerProcess, type StartServerOptions, startServer } from './server-process.ts';

export interface BurrowCluster {
  servers: ServerProcess[];
  urls: string[];
  stop(): Promise<void>;
}

/** Starts `count` servers on `databaseUrl`; the first migrates, the others find nothing to do. */
export async function startBurrows(
  count: number,
  databaseUrl: string,
  options: StartServerOptions = {},
): Promise<BurrowCluster> {
  const env = { BURROW_SCRYPT_COST: '1024', ...options.env, DATABASE_URL: databaseUrl };
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startServer({ ...options, env }));
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
  return {
    servers,
    urls: servers.map((server) => server.url),
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}

/** Reads `event: poke` cursors from an event stream until aborted. */
export async function openPokes(
  url: string,
  cookie: string,
): Promise<{ pokes: { cursor: number; at: number }[]; next(after: number): Promise<number>; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(new URL('/api/sync/events', url), { headers: { cookie }, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
  const pokes: { cursor: number; at: number }[] = [];
  const waiters: (() => void)[] = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: poke\ndata: (.*)$/m.exec(event);
          if (data) {
            pokes.push({ cursor: (JSON.parse(data[1]) as { cursor: number }).cursor, at: performance.now() });
            for (const wake of waiters.splice(0)) wake();
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close(), or the server went away.
    }
  })();
  return {
    pokes,
    /** Resolves with the first poke cursor at or above `after` (waits for it). */
    async next(after: number) {
      for (;;) {
        const found = pokes.find((poke) => poke.cursor >= after);
        if (found) return found.cursor;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: () => controller.abort(),
  };
}
