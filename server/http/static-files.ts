/**
 * Serves the built PWA from `dist/` (@hono/node-server's serveStatic): files as they are, or
 * their brotli or gzip copy made at build time when the client accepts it; `index.html` for
 * every other GET navigation (SPA routes, /share). `sw.js` and `index.html` are never cached
 * without revalidation; hashed `/assets/*` are immutable.
 */
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/utils/compress';
import type { AppEnv } from './app-env.ts';

function cacheControlFor(urlPath: string): string {
  if (urlPath.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

/** A navigation wants a page: it accepts HTML, or its last segment has no file extension. */
function isNavigation(urlPath: string, accept: string | undefined): boolean {
  return (accept ?? '').includes('text/html') || !path.posix.basename(urlPath).includes('.');
}

/** Caching headers; `Vary` on every compressible file, served compressed or not, for caches in between. */
function withHeaders(response: Response, urlPath: string): Response {
  response.headers.set('cache-control', cacheControlFor(urlPath));
  const type = response.headers.get('content-type') ?? '';
  if (COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type) && !/accept-encoding/i.test(response.headers.get('vary') ?? '')) {
    response.headers.append('vary', 'Accept-Encoding');
  }
  return response;
}

export function staticSite(distDir: string): MiddlewareHandler<AppEnv> {
  const root = path.resolve(distDir);
  const files = serveStatic<AppEnv>({ root, precompressed: true });
  const indexPage = serveStatic<AppEnv>({ root, path: 'index.html', precompressed: true });
  const notFound = async () => {};
  return async (c, next) => {
    const method = c.req.method;
    const urlPath = c.req.path;
    if ((method !== 'GET' && method !== 'HEAD') || urlPath === '/api' || urlPath.startsWith('/api/')) return next();
    const file = urlPath === '/' ? undefined : await files(c, notFound);
    if (file instanceof Response) return withHeaders(file, urlPath);
    if (isNavigation(urlPath, c.req.header('accept'))) {
      const page = await indexPage(c, notFound);
      if (page instanceof Response) return withHeaders(page, '/index.html');
    }
    return next();
  };
}
