/** The fault proxy itself: each fault does what the engine tests rely on, against a counting upstream. */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';

interface Upstream {
  url: string;
  received: { method: string; path: string; host: string; body: string }[];
  server: http.Server;
}

async function startUpstream(): Promise<Upstream> {
  const received: Upstream['received'] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      method: req.method ?? '',
      path: req.url ?? '',
      host: req.headers.host ?? '',
      body: Buffer.concat(chunks).toString(),
    });
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: poke\ndata: {"cursor":1}\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ count: received.length }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

describe('fault proxy', () => {
  let upstream: Upstream;
  let proxy: FaultProxy;

  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await startFaultProxy(upstream.url);
  });
  afterEach(() => {
    proxy.clearRules();
    upstream.received.length = 0;
  });
  afterAll(async () => {
    await proxy.close();
    upstream.server.closeAllConnections();
    upstream.server.close();
  });

  describe('without rules', () => {
    it('forwards the request with its body and the Host the client used', async () => {
      const response = await fetch(`${proxy.url}/api/sync/push?x=1`, { method: 'POST', body: '{"a":1}' });
      expect(await response.json()).toEqual({ count: 1 });
      expect(upstream.received).toEqual([
        { method: 'POST', path: '/api/sync/push?x=1', host: new URL(proxy.url).host, body: '{"a":1}' },
      ]);
    });
  });

  describe('drop-after-commit', () => {
    it('delivers the request to the server and gives the client a network error', async () => {
      proxy.addRule({ path: '/api/sync/push', action: { kind: 'drop-after-commit' }, times: 1 });
      await expect(fetch(`${proxy.url}/api/sync/push`, { method: 'POST', body: 'x' })).rejects.toThrow();
      expect(upstream.received).toHaveLength(1);
      const second = await fetch(`${proxy.url}/api/sync/push`, { method: 'POST', body: 'x' });
      expect(second.status).toBe(200);
    });
  });

  describe('status', () => {
    it('answers 503 with Retry-After without reaching the server', async () => {
      proxy.addRule({
        method: 'POST',
        path: /^\/api\/sync\//,
        action: { kind: 'status', status: 503, retryAfterSeconds: 2 },
      });
      const response = await fetch(`${proxy.url}/api/sync/push`, { method: 'POST', body: 'x' });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(upstream.received).toHaveLength(0);
    });
  });

  describe('duplicate', () => {
    it('sends the request to the server twice and answers with the second response', async () => {
      proxy.addRule({ path: '/api/sync/push', action: { kind: 'duplicate' } });
      const response = await fetch(`${proxy.url}/api/sync/push`, { method: 'POST', body: 'same' });
      expect(await response.json()).toEqual({ count: 2 });
      expect(upstream.received.map((request) => request.body)).toEqual(['same', 'same']);
    });
  });

  describe('delay', () => {
    it('holds the response after the server has the request', async () => {
      proxy.addRule({ path: '/slow', action: { kind: 'delay', ms: 300, at: 'response' } });
      let answered = false;
      const pending = fetch(`${proxy.url}/slow`).then((response) => {
        answered = true;
        return response;
      });
      await expect.poll(() => upstream.received.length).toBe(1);
      // Undelayed, the answer follows the upstream's within a millisecond, before the poll sees it.
      expect(answered).toBe(false);
      expect((await pending).status).toBe(200);
    });
  });

  describe('server down', () => {
    it('gives the client a network error, and recovers when pointed at a live server', async () => {
      const dead = await startUpstream();
      const deadUrl = dead.url;
      dead.server.close();
      proxy.setTarget(deadUrl);
      await expect(fetch(`${proxy.url}/api/health`)).rejects.toThrow();
      proxy.setTarget(upstream.url);
      expect((await fetch(`${proxy.url}/api/health`)).status).toBe(200);
    });
  });

  describe('event streams', () => {
    it('passes server-sent events through as they come', async () => {
      const response = await fetch(`${proxy.url}/events`, { headers: { accept: 'text/event-stream' } });
      const reader = response.body!.getReader();
      const { value } = await reader.read();
      expect(new TextDecoder().decode(value)).toContain('event: poke');
      await reader.cancel();
    });
  });

  describe('static files', () => {
    it('serves a registered path itself', async () => {
      proxy.serveStatic('/bench/page.html', { contentType: 'text/html', body: '<p>hi</p>' });
      const response = await fetch(`${proxy.url}/bench/page.html`);
      expect(await response.text()).toBe('<p>hi</p>');
      expect(upstream.received).toHaveLength(0);
    });
  });
});
