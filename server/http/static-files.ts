/**
 * Serves the built PWA from `dist/`: files as they are, `index.html` for every other GET
 * navigation (SPA routes, /share). `sw.js` and `index.html` are never cached without
 * revalidation; hashed `/assets/*` are immutable.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

function cacheControlFor(urlPath: string): string {
  if (urlPath.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

async function fileResponse(file: string, urlPath: string): Promise<Response | null> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return null;
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'cache-control': cacheControlFor(urlPath),
        'last-modified': info.mtime.toUTCString(),
      },
    });
  } catch {
    return null;
  }
}

/** A navigation wants a page: it accepts HTML, or its last segment has no file extension. */
function isNavigation(urlPath: string, accept: string | undefined): boolean {
  return (accept ?? '').includes('text/html') || !path.posix.basename(urlPath).includes('.');
}

export function staticSite(distDir: string): MiddlewareHandler<AppEnv> {
  const root = path.resolve(distDir);
  return async (c, next) => {
    const method = c.req.method;
    if ((method !== 'GET' && method !== 'HEAD') || c.req.path === '/api' || c.req.path.startsWith('/api/')) {
      return next();
    }
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    const file = path.resolve(root, `.${path.posix.normalize(urlPath)}`);
    const inside = file === root || file.startsWith(root + path.sep);
    const found = inside && urlPath !== '/' ? await fileResponse(file, urlPath) : null;
    if (found) return found;
    if (isNavigation(urlPath, c.req.header('accept'))) {
      const page = await fileResponse(path.join(root, 'index.html'), '/index.html');
      if (page) return page;
    }
    return next();
  };
}
