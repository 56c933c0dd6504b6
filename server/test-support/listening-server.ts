/** Test harness: the real server (startServer) listening on loopback, and raw HTTP over real sockets. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type ServerConfig } from '../config.ts';
import { silentLogger } from '../logger.ts';
import { type RunningServer, startServer } from '../server.ts';

export interface ListeningServer extends RunningServer {
  config: ServerConfig;
  port: number;
}

/** A fresh server on 127.0.0.1 and a free port; `env` sets knobs. Stop it in afterEach. */
export async function startListeningServer(env: Record<string, string> = {}): Promise<ListeningServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'burrow-listening-'));
  const config = {
    ...loadConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dir], {
      BURROW_LOG: 'silent',
      BURROW_SKIP_BUILD: '1',
      BURROW_SCRYPT_COST: '1024',
      ...env,
    }),
    distDir: path.join(dir, 'dist'),
  };
  mkdirSync(config.distDir);
  const running = await startServer(config, silentLogger);
  return {
    ...running,
    config,
    port: Number(new URL(running.url).port),
    stop: async () => {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A response read whole, over its own connection. */
export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The local address to connect from (any of 127.0.0.0/8 reaches the server). */
  localAddress?: string;
}

/** One request on a new connection (no agent, no pooling), read whole. */
export function send(server: ListeningServer, pathname: string, options: SendOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path: pathname,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.localAddress,
        agent: false,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Signs up a new account; returns its session cookie and user id. */
export async function signUpOver(server: ListeningServer, email: string): Promise<{ cookie: string; userId: string }> {
  const response = await send(server, '/api/auth/signup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  if (response.status !== 201) throw new Error(`signup answered ${response.status}: ${response.text}`);
  const cookie = String(response.headers['set-cookie']?.[0] ?? '').split(';')[0];
  return { cookie, userId: (JSON.parse(response.text) as { user: { id: string } }).user.id };
}

/** An open event stream: what it has sent so far, and a promise that settles when it ends. */
export interface OpenStream {
  received(): string;
  /** Resolves when `pattern` has been received. */
  waitFor(pattern: RegExp): Promise<string>;
  ended: Promise<void>;
  close(): void;
}

/** Opens `GET /api/sync/events` with `headers` (a cookie or a bearer token) and waits for its first poke. */
export function openStream(server: ListeningServer, headers: Record<string, string>): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: server.port, path: '/api/sync/events', headers, agent: false },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`events answered ${response.statusCode}`));
          response.resume();
          return;
        }
        let text = '';
        let closed = false;
        const waiters = new Set<{ pattern: RegExp; resolve: (text: string) => void; reject: (error: Error) => void }>();
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          for (const waiter of [...waiters]) {
            if (!waiter.pattern.test(text)) continue;
            waiters.delete(waiter);
            waiter.resolve(text);
          }
        });
        const ended = new Promise<void>((done) =>
          response.once('close', () => {
            closed = true;
            for (const waiter of waiters)
              waiter.reject(new Error(`the stream ended before ${waiter.pattern}: ${text}`));
            done();
          }),
        );
        const stream: OpenStream = {
          received: () => text,
          waitFor: (pattern) =>
            pattern.test(text)
              ? Promise.resolve(text)
              : closed
                ? Promise.reject(new Error(`the stream had ended before ${pattern}: ${text}`))
                : new Promise((done, fail) => waiters.add({ pattern, resolve: done, reject: fail })),
          ended,
          close: () => request.destroy(),
        };
        stream.waitFor(/event: poke/).then(() => resolve(stream), reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}
