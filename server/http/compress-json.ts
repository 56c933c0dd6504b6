/**
 * Gzip for API JSON answers of at least `minBytes`, for clients that accept it, with `Vary`.
 * Never the event stream (not JSON), and never `/api/auth/*`, whose answers carry secrets (a
 * new API token) beside text the client chose: compressing those together is what BREACH
 * measures.
 *
 * Why not hono/compress: its CompressionStream runs each chunk through libuv's thread pool,
 * where password hashing and file reads queue too. In the abuse run, a signup flood took the
 * honest clients' push p99 from 1.3 s to 22.8 s with it, and even the quiet p99 from 319 ms to
 * 1,108 ms. The answers are JSON text in memory already; gzip at level 1 on the spot costs
 * 0.14 ms for a 12 KB push answer and 16 ms for a 2.9 MB pull page (90 % smaller either way).
 */
import { gzipSync } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { parseAccept } from 'hono/utils/accept';
import type { AppEnv } from './app-env.ts';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const GZIP_LEVEL = 1;

/** True when Accept-Encoding gives gzip (or `*`) a weight above zero. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const accepted = parseAccept(header);
  const gzip = accepted.find((entry) => entry.type.toLowerCase() === 'gzip');
  const any = accepted.find((entry) => entry.type === '*');
  return (gzip ?? any)?.q !== undefined && (gzip ?? any)!.q > 0;
}

function addVary(headers: Headers): void {
  const vary = headers.get('vary');
  if (vary === '*' || /(?:^|,)\s*accept-encoding\s*(?:,|$)/i.test(vary ?? '')) return;
  headers.set('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
}

export function compressJson(minBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.req.method === 'HEAD' || c.req.path.startsWith('/api/auth/')) return;
    const response = c.res;
    if (!JSON_TYPE.test(response.headers.get('content-type') ?? '') || response.headers.has('content-encoding')) return;
    if (!acceptsGzip(c.req.header('accept-encoding'))) {
      // Sent as it is, unread: turning a 4 MiB page into bytes here only to measure it took a
      // fifth of the server's time in the abuse run's large pages. Vary at any size then.
      addVary(response.headers);
      return;
    }
    const body = new Uint8Array(await response.arrayBuffer());
    const headers = new Headers(response.headers);
    if (body.byteLength >= minBytes) addVary(headers);
    const compress = body.byteLength >= minBytes;
    const sent = compress ? gzipSync(body, { level: GZIP_LEVEL }) : body;
    if (compress) headers.set('content-encoding', 'gzip');
    headers.set('content-length', String(sent.byteLength));
    c.res = undefined;
    c.res = new Response(sent, { status: response.status, statusText: response.statusText, headers });
  };
}
