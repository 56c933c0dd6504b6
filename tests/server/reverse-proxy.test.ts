/**
 * Burrow behind nginx with the committed config (deploy/nginx-burrow.conf), on loopback with a
 * throwaway self-signed certificate: HTTPS reaches the app, plain HTTP is redirected, cookies
 * are Secure, pokes pass at once and precompressed files pass through.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { MutationBuilder, noteCard } from '../support/api-client.ts';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.ts';

const NGINX = '/usr/sbin/nginx';
const START_TIMEOUT_MS = 10_000;

let burrow: ServerProcess;
let nginx: ChildProcess;
let dir: string;
let certificate: Buffer;
let httpsPort: number;
let httpPort: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The committed site config with this test's names, ports and certificate. */
function renderSite(upstreamPort: number): string {
  const site = readFileSync(join(REPO_ROOT, 'deploy', 'nginx-burrow.conf'), 'utf8')
    .replaceAll('burrow.example.org', 'localhost')
    .replace('server 127.0.0.1:8787;', `server 127.0.0.1:${upstreamPort};`)
    .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
    .replace(/^\s*listen \[::\].*$/gm, '')
    .replace('/etc/letsencrypt/live/localhost/fullchain.pem', join(dir, 'cert.pem'))
    .replace('/etc/letsencrypt/live/localhost/privkey.pem', join(dir, 'key.pem'));
  // Every substitution must have found its text: the test runs the committed file, not another.
  expect(site).not.toMatch(/8787|letsencrypt|listen 80;|listen 443/);
  return site;
}

/** nginx's main context around the site: everything in the temp dir, in the foreground. */
function mainConfig(): string {
  const runAsRoot = process.getuid?.() === 0 ? 'user root;' : '';
  return `${runAsRoot}
daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  include ${join(dir, 'site.conf')};
}
`;
}

/** Resolves once something accepts connections on `port`. */
async function listening(port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-nginx-'));
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
  certificate = readFileSync(join(dir, 'cert.pem'));
  httpsPort = await freePort();
  httpPort = await freePort();
  // With the public URL set, Burrow refuses any other Host: the proxy must pass it, port and all.
  burrow = await startServer({
    env: {
      BURROW_TRUST_PROXY: '1',
      BURROW_MAX_CONNECTIONS_PER_ADDRESS: '0',
      BURROW_PUBLIC_URL: `https://localhost:${httpsPort}`,
    },
  });
  writeFileSync(join(dir, 'site.conf'), renderSite(Number(new URL(burrow.url).port)));
  writeFileSync(join(dir, 'nginx.conf'), mainConfig());
  nginx = spawn(NGINX, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  await listening(httpsPort);
});

afterAll(async () => {
  if (nginx?.exitCode === null) {
    const exited = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGTERM');
    await exited;
  }
  await burrow?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** An HTTPS request to nginx as `localhost`, trusting only the throwaway certificate. */
function viaProxy(path: string, options: RequestOptions & { body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: httpsPort,
        path,
        ca: certificate,
        agent: false,
        ...options,
        headers: { host: `localhost:${httpsPort}`, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('latin1'),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

async function signUp(): Promise<{ cookie: string; setCookie: string; workspaceId: string }> {
  const response = await viaProxy('/api/auth/signup', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      host: `localhost:${httpsPort}`,
      origin: `https://localhost:${httpsPort}`,
    },
    body: JSON.stringify({ email: `proxied-${newId()}@example.test`, password: 'correct horse battery' }),
  });
  expect(response.status, response.text).toBe(201);
  const setCookie = String((response.headers['set-cookie'] as string[])[0]);
  const body = JSON.parse(response.text) as { workspaces: { id: string }[] };
  return { cookie: setCookie.split(';')[0], setCookie, workspaceId: body.workspaces[0].id };
}

describe('behind nginx (deploy/nginx-burrow.conf)', () => {
  it('answers over HTTPS with HSTS, and redirects plain HTTP to HTTPS', async () => {
    const health = await viaProxy('/api/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toMatchObject({ ok: true });
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000');

    const plain = await new Promise<Answer>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: httpPort, path: '/cards', headers: { host: 'localhost' }, agent: false },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: '' }));
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(plain.status).toBe(301);
    expect(plain.headers.location).toBe('https://localhost/cards');
  });

  it('gives a Secure session cookie, since the proxy says the request came over HTTPS', async () => {
    const { setCookie } = await signUp();
    expect(setCookie).toMatch(/;\s*Secure/i);
  });

  it('passes each poke of the event stream on at once', async () => {
    const { cookie, workspaceId } = await signUp();
    const { received, close } = await new Promise<{ received: (pattern: RegExp) => Promise<void>; close(): void }>(
      (resolve, reject) => {
        const request = httpsRequest(
          {
            host: '127.0.0.1',
            servername: 'localhost',
            port: httpsPort,
            path: '/api/sync/events',
            ca: certificate,
            agent: false,
            headers: { cookie, host: `localhost:${httpsPort}` },
          },
          (response) => {
            let text = '';
            const waiting = new Set<{ pattern: RegExp; done: () => void }>();
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              text += chunk;
              for (const waiter of [...waiting]) {
                if (waiter.pattern.test(text)) {
                  waiting.delete(waiter);
                  waiter.done();
                }
              }
            });
            const received = (pattern: RegExp) =>
              pattern.test(text) ? Promise.resolve() : new Promise<void>((done) => waiting.add({ pattern, done }));
            void received(/event: poke/).then(() => resolve({ received, close: () => request.destroy() }));
          },
        );
        request.on('error', reject);
        request.end();
      },
    );
    const builder = new MutationBuilder();
    const pushed = await viaProxy('/api/sync/push', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'idempotency-key': newId() },
      body: JSON.stringify({
        protocol: 1,
        clientId: newId(),
        mutations: [builder.create('cards', workspaceId, noteCard({ title: 'through the proxy' }))],
      }),
    });
    expect(pushed.status).toBe(200);
    const { cursor } = JSON.parse(pushed.text) as { cursor: number };
    await received(new RegExp(`"cursor":${cursor}\\}`));
    close();
  });

  it('passes the precompressed files through', async () => {
    const worker = await viaProxy('/sw.js', { headers: { 'accept-encoding': 'br, gzip' } });
    expect(worker.status).toBe(200);
    expect(worker.headers['content-encoding']).toBe('br');
  });
});
