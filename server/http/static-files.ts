/**
 * Serves the built PWA from `dist/` (@hono/node-server's serveStatic): files as they are, or
 * their brotli or gzip copy made at build time when the client accepts it (and the copy is not
 * older than the file); `index.html` for every other GET navigation (SPA routes, /share).
 * `sw.js` and `index.html` are never cached without revalidation; hashed `/assets/*` are
 * immutable.
 */
import { stat } from 'node:fs/promises';
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

/** Modification time in ms, or null when there is no such file. */
async function modifiedAt(file: string): Promise<number | null> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * False when a file was changed after its compressed copies were made (by hand, or by a test
 * shipping a "new version"): sending a copy would send the old content.
 */
async function copiesAreFresh(file: string): Promise<boolean> {
  const original = await modifiedAt(file);
  if (original === null) return true;
  for (const suffix of ['.br', '.gz']) {
    const copy = await modifiedAt(file + suffix);
    if (copy !== null && copy < original) return false;
  }
  return true;
}

export function staticSite(distDir: string): MiddlewareHandler<AppEnv> {
  const root = path.resolve(distDir);
  const compressedFiles = serveStatic<AppEnv>({ root, precompressed: true });
  const plainFiles = serveStatic<AppEnv>({ root });
  const indexPage = serveStatic<AppEnv>({ root, path: 'index.html', precompressed: true });
  const plainIndexPage = serveStatic<AppEnv>({ root, path: 'index.html' });
  const notFound = async () => {};
  /** The file a URL path names inside the root, for the freshness check only (serveStatic resolves it itself). */
  const fileOf = (urlPath: string) => path.join(root, path.posix.normalize(urlPath));
  return async (c, next) => {
    const method = c.req.method;
    const urlPath = c.req.path;
    if ((method !== 'GET' && method !== 'HEAD') || urlPath === '/api' || urlPath.startsWith('/api/')) return next();
    if (urlPath !== '/') {
      const files = (await copiesAreFresh(fileOf(urlPath))) ? compressedFiles : plainFiles;
      const file = await files(c, notFound);
      if (file instanceof Response) return withHeaders(file, urlPath);
    }
    if (isNavigation(urlPath, c.req.header('accept'))) {
      const pages = (await copiesAreFresh(path.join(root, 'index.html'))) ? indexPage : plainIndexPage;
      const page = await pages(c, notFound);
      if (page instanceof Response) return withHeaders(page, '/index.html');
    }
    return next();
  };
}
