import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import type { Store } from './storage/store.ts';
import { json, type LooseJson, signUp, startTestServer, type TestServer } from './test-support/test-server.ts';
import { TEST_BACKEND } from './test-support/test-store.ts';

let server: TestServer;
beforeEach(() => {
  server = startTestServer();
});
afterEach(() => server.close());

function expectProblem(response: Response, status: number, code: string, body: LooseJson) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(body).toMatchObject({
    status,
    code,
    type: `/docs/problems#${code}`,
    title: expect.any(String),
    detail: expect.any(String),
  });
}

describe('app', () => {
  it('answers health without auth', async () => {
    const response = await server.request('/api/health');
    expect(await json(response)).toEqual({ ok: true, version: '0.1.0', storage: TEST_BACKEND });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('sets secure headers with a CSP that allows the app itself', async () => {
    const response = await server.request('/api/health');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("worker-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('answers unknown API routes with a 404 problem, never HTML', async () => {
    const user = await signUp(server);
    for (const route of ['/api/sync/nothing', '/api/auth/nothing/else/here', '/api', '/api/cards/a/b']) {
      const response = await user.send(route, { headers: { accept: 'text/html' } });
      expectProblem(response, 404, 'not-found', await json(response));
    }
  });

  it('answers unauthenticated API requests with a 401 problem, never HTML', async () => {
    const response = await server.request('/api/sync/nothing', { headers: { accept: 'text/html' } });
    expectProblem(response, 401, 'unauthorized', await json(response));
  });

  it('answers a wrong method with 405 method-not-allowed and Allow', async () => {
    const response = await server.request('/api/health', { method: 'POST' });
    expectProblem(response, 405, 'method-not-allowed', await json(response));
    expect(response.headers.get('allow')).toBe('GET');
    const push = await server.request('/api/sync/push');
    expect(push.status).toBe(405);
    expect(push.headers.get('allow')).toBe('POST');
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await server.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expectProblem(response, 400, 'invalid-request', await json(response));
  });

  it('answers a body over 512 KiB on a non-push endpoint with 413', async () => {
    const response = await server.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'x'.repeat(600 * 1024) }),
    });
    expectProblem(response, 413, 'too-large', await json(response));
  });

  it('turns a thrown error into a 500 problem without a stack trace', async () => {
    const failing = new Proxy(server.store, {
      get(target, property, receiver) {
        if (property === 'findCredentials') return () => Promise.reject(new Error('disk on fire at /secret/path'));
        return Reflect.get(target, property, receiver);
      },
    }) as Store;
    const logged: unknown[] = [];
    const app = createApp({ store: failing, config: server.config, logger: { log: (...args) => logged.push(args) } });
    const response = await app.request('http://burrow.test/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.co', password: '12345678' }),
    });
    const text = await response.text();
    expectProblem(response, 500, 'internal', JSON.parse(text));
    expect(text).not.toContain('fire');
    expect(text).not.toContain('at ');
    expect(JSON.stringify(logged)).toContain('disk on fire');
  });

  it('answers 503 database-unavailable with Retry-After when the database cannot be reached', async () => {
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const failing = new Proxy(server.store, {
      get(target, property, receiver) {
        if (property === 'findCredentials') return () => Promise.reject(unreachable);
        return Reflect.get(target, property, receiver);
      },
    }) as Store;
    const app = createApp({ store: failing, config: server.config, logger: { log: () => undefined } });
    const response = await app.request('http://burrow.test/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.co', password: '12345678' }),
    });
    expectProblem(response, 503, 'database-unavailable', await json(response));
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  describe('the built PWA', () => {
    beforeEach(() => {
      const dist = server.config.distDir;
      mkdirSync(path.join(dist, 'assets'), { recursive: true });
      writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Burrow</title>');
      writeFileSync(path.join(dist, 'sw.js'), 'self.x = 1;');
      writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1);');
      writeFileSync(path.join(dist, 'manifest.webmanifest'), '{}');
      writeFileSync(path.join(server.dir, 'secret.txt'), 'not for the web');
    });

    it('serves index.html and sw.js with no-cache, and assets as immutable', async () => {
      const index = await server.request('/');
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('cache-control')).toBe('no-cache');
      expect(await index.text()).toContain('<title>Burrow</title>');
      const worker = await server.request('/sw.js');
      expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(worker.headers.get('cache-control')).toBe('no-cache');
      const asset = await server.request('/assets/index-abc123.js');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const manifest = await server.request('/manifest.webmanifest');
      expect(manifest.headers.get('content-type')).toBe('application/manifest+json');
    });

    it('answers SPA navigations (and /share) with index.html', async () => {
      for (const route of ['/cards/123', '/share?url=https%3A%2F%2Fexample.com', '/settings']) {
        const response = await server.request(route, { headers: { accept: 'text/html' } });
        expect(response.status, route).toBe(200);
        expect(await response.text()).toContain('<title>Burrow</title>');
      }
    });

    it('answers a missing file with a 404 problem, and never serves outside dist/', async () => {
      const missing = await server.request('/assets/missing.js');
      expectProblem(missing, 404, 'not-found', await json(missing));
      for (const route of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
        const response = await server.request(route);
        expect(await response.text(), route).not.toContain('not for the web');
      }
    });

    it('answers HEAD like GET without a body', async () => {
      const response = await server.request('/sw.js', { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    });
  });
});
