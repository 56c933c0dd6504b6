/**
 * A small web site on 127.0.0.1 for the preview tests: pages, redirects, slow and oversized
 * bodies, images of several formats, a text file served as image/png. Real HTTP on loopback.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface FixtureSite {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Serves `pathname` (exact, query ignored) with `handler` from now on. */
  route(pathname: string, handler: RouteHandler): void;
  /** How many requests reached `pathname`. */
  hits(pathname: string): number;
  /** Each request's path and Host header, in arrival order. */
  readonly requests: { path: string; host: string | undefined; userAgent: string | undefined }[];
  /** Ends every held response (slow routes) and stops the server. */
  close(): Promise<void>;
}

export function htmlPage(head: string, body = '<p>Nothing here.</p>'): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
}

/** A page of several paragraphs Readability takes for an article. */
export function articlePage(head: string, title: string, paragraphs: string[]): string {
  const text = paragraphs.map((paragraph) => `<p>${paragraph}</p>`).join('\n');
  return htmlPage(
    head,
    `<nav><a href="/">Home</a> <a href="/about">About</a></nav>
     <main><article><h1>${title}</h1>${text}</article></main>
     <footer>Copyright. <a href="/privacy">Privacy</a></footer>`,
  );
}

export function sendHtml(html: string, status = 200): RouteHandler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  };
}

export function sendBytes(body: Buffer, contentType: string): RouteHandler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
    response.end(body);
  };
}

export function redirectTo(location: string, status = 302): RouteHandler {
  return (_request, response) => {
    response.writeHead(status, { location });
    response.end();
  };
}

/** A test image: a colour gradient of `width`×`height` in `format`. */
export async function testImage(format: 'png' | 'jpeg' | 'gif' | 'webp', width = 640, height = 400): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      pixels[offset] = (x * 255) / width;
      pixels[offset + 1] = (y * 255) / height;
      pixels[offset + 2] = 128;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

/** A Windows icon file holding one PNG image (what most favicon.ico files are today). */
export async function testIco(size = 32): Promise<Buffer> {
  const png = await testImage('png', size, size);
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size % 256, 6);
  header.writeUInt8(size % 256, 7);
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18);
  return Buffer.concat([header, png]);
}

export async function startFixtureSite(): Promise<FixtureSite> {
  const routes = new Map<string, RouteHandler>();
  const counts = new Map<string, number>();
  const requests: FixtureSite['requests'] = [];
  const open = new Set<ServerResponse>();
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://fixture').pathname;
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
    requests.push({ path: pathname, host: request.headers.host, userAgent: request.headers['user-agent'] });
    open.add(response);
    response.once('close', () => open.delete(response));
    const handler = routes.get(pathname);
    if (!handler) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    route: (pathname, handler) => routes.set(pathname, handler),
    hits: (pathname) => counts.get(pathname) ?? 0,
    requests,
    close: async () => {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
