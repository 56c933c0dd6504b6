import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { compressJson } from './compress-json.ts';

describe('compressJson', () => {
  it('passes an answer through unread to a client that does not accept gzip', async () => {
    // A body that ends only after the answer has been handed on: a middleware that read it
    // whole first (to measure it) would wait forever.
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const encoder = new TextEncoder();
    const app = new Hono();
    app.use('*', compressJson(16));
    app.get('/page', () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode('{"changes":'));
          void finished.then(() => {
            controller.enqueue(encoder.encode('[]}'));
            controller.close();
          });
        },
      });
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    });
    const response = await app.request('/page', { headers: { 'accept-encoding': 'identity' } });
    finish();
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await response.text()).toBe('{"changes":[]}');
  });
});
