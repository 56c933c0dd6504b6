/**
 * Gzip for API JSON answers of at least `minBytes`, for clients that accept it (hono/compress
 * chooses by Accept-Encoding and adds `Vary`). Never the event stream (not JSON, and marked
 * `no-transform`), and never `/api/auth/*`, whose answers carry secrets (a new API token)
 * beside text the client chose: compressing those together is what BREACH measures.
 */
import type { MiddlewareHandler } from 'hono';
import { compress } from 'hono/compress';
import type { AppEnv } from './app-env.ts';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

export function compressJson(minBytes: number): MiddlewareHandler<AppEnv> {
  const gzipLarge = compress({ encoding: 'gzip', threshold: minBytes, contentTypeFilter: JSON_TYPE });
  return async (c, next) => {
    if (c.req.path.startsWith('/api/auth/')) return next();
    return gzipLarge(c, async () => {
      await next();
      // hono/compress reads the size from Content-Length, which a Response built from a string
      // does not have yet. The answers are JSON text in memory already: measure it.
      const response = c.res;
      if (response.headers.has('content-length') || !JSON_TYPE.test(response.headers.get('content-type') ?? '')) return;
      const body = new Uint8Array(await response.arrayBuffer());
      const measured = new Response(body, response);
      measured.headers.set('content-length', String(body.byteLength));
      c.res = measured;
    });
  };
}
