/**
 * Compression over real HTTP: static files sent as their build-time brotli or gzip copy by
 * Accept-Encoding, with Vary; API JSON gzipped above the threshold; never the event stream,
 * never the auth answers.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { precompressDirectory } from '../../build/precompress.ts';
import { newId } from '../../protocol/index.ts';
import { type ListeningServer, send, signUpOver, startListeningServer } from '../test-support/listening-server.ts';

let server: ListeningServer;
afterEach(() => server.stop());

interface BytesResponse {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}

/** A request whose body is kept as the bytes that came over the wire (no decompression). */
function fetchBytes(pathname: string, headers: Record<string, string> = {}, options: { firstChunk?: boolean } = {}) {
  return new Promise<BytesResponse>((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: server.port, path: pathname, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        const done = () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes: Buffer.concat(chunks) });
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (options.firstChunk) {
            done();
            request.destroy();
          }
        });
        response.on('end', done);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

function decoded(response: BytesResponse): string {
  const encoding = response.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(response.bytes).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(response.bytes).toString('utf8');
  return response.bytes.toString('utf8');
}

describe('static files', () => {
  const script = `console.log(${JSON.stringify('a compressible line\n'.repeat(200))});`;
  const page = `<!doctype html><title>Burrow</title>${'<p>a paragraph</p>'.repeat(100)}`;

  beforeEach(async () => {
    server = await startListeningServer();
    const dist = server.config.distDir;
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), script);
    writeFileSync(path.join(dist, 'index.html'), page);
    writeFileSync(path.join(dist, 'icon.png'), Buffer.alloc(4096, 1));
    await precompressDirectory(dist);
  });

  it('sends the brotli copy to a client that accepts it, else gzip, else the file, always with Vary', async () => {
    const brotli = await fetchBytes('/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(brotli.headers['content-encoding']).toBe('br');
    const gzip = await fetchBytes('/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const plain = await fetchBytes('/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();

    for (const response of [brotli, gzip, plain]) {
      expect(response.status).toBe(200);
      expect(decoded(response)).toBe(script);
      expect(response.headers.vary).toMatch(/accept-encoding/i);
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    expect(brotli.bytes.length).toBeLessThan(script.length / 4);
  });

  it('sends the file itself when it changed after its compressed copies were made', async () => {
    const file = path.join(server.config.distDir, 'assets', 'index-abc123.js');
    const changed = `${script}\n// a new version\n`;
    writeFileSync(file, changed);
    const later = new Date(Date.now() + 10_000);
    utimesSync(file, later, later);
    const response = await fetchBytes('/assets/index-abc123.js', { 'accept-encoding': 'br, gzip' });
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(decoded(response)).toBe(changed);
  });

  it('compresses the page sent for a navigation, and leaves images alone', async () => {
    const navigation = await fetchBytes('/cards/123', { accept: 'text/html', 'accept-encoding': 'br' });
    expect(navigation.headers['content-encoding']).toBe('br');
    expect(decoded(navigation)).toBe(page);
    expect(navigation.headers['cache-control']).toBe('no-cache');
    const image = await fetchBytes('/icon.png', { 'accept-encoding': 'br, gzip' });
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.bytes.length).toBe(4096);
  });
});

describe('API answers', () => {
  let cookie: string;

  /** Pushes `count` note cards with long titles as the signed-up user. */
  async function pushCards(count: number): Promise<void> {
    const me = JSON.parse(decoded(await fetchBytes('/api/auth/me', { cookie }))) as { workspaces: { id: string }[] };
    const mutations = Array.from({ length: count }, (_, i) => ({
      seq: i + 1,
      id: newId(),
      table: 'cards',
      op: 'create',
      recordId: newId(),
      workspaceId: me.workspaces[0].id,
      baseVersion: 0,
      fields: {
        kind: 'note',
        title: `card ${i} ${'t'.repeat(200)}`,
        content: '',
        tags: [],
        collectionIds: [],
        pinned: false,
      },
      clientTime: new Date().toISOString(),
    }));
    const response = await send(server, '/api/sync/push', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'idempotency-key': newId() },
      body: JSON.stringify({ protocol: 1, clientId: newId(), mutations }),
    });
    expect(response.status).toBe(200);
  }

  beforeEach(async () => {
    server = await startListeningServer({ BURROW_COMPRESS_MIN_BYTES: '1024' });
    ({ cookie } = await signUpOver(server, `compress-${newId()}@example.test`));
  });

  it('gzips JSON of at least BURROW_COMPRESS_MIN_BYTES for a client that accepts it, with Vary', async () => {
    await pushCards(10);
    const pulled = await fetchBytes('/api/sync/pull?cursor=0', { cookie, 'accept-encoding': 'gzip, br' });
    expect(pulled.status).toBe(200);
    expect(pulled.headers['content-encoding']).toBe('gzip');
    expect(pulled.headers.vary).toMatch(/accept-encoding/i);
    const page = JSON.parse(decoded(pulled)) as { changes: unknown[] };
    expect(page.changes.length).toBeGreaterThanOrEqual(10);

    const plain = await fetchBytes('/api/sync/pull?cursor=0', { cookie });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(decoded(plain))).toEqual(page);
    expect(pulled.bytes.length).toBeLessThan(plain.bytes.length / 2);
  });

  it('reads Accept-Encoding weights: gzip;q=0 refuses it, * accepts it', async () => {
    await pushCards(10);
    const refused = await fetchBytes('/api/sync/pull?cursor=0', { cookie, 'accept-encoding': 'gzip;q=0, br' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.headers.vary).toMatch(/accept-encoding/i);
    const anything = await fetchBytes('/api/sync/pull?cursor=0', { cookie, 'accept-encoding': '*' });
    expect(anything.headers['content-encoding']).toBe('gzip');
  });

  it('sends small JSON as it is', async () => {
    const health = await fetchBytes('/api/health', { 'accept-encoding': 'gzip' });
    expect(health.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(decoded(health))).toMatchObject({ ok: true });
  });

  it('never compresses the event stream or the auth answers', async () => {
    const stream = await fetchBytes(
      '/api/sync/events',
      { cookie, 'accept-encoding': 'gzip, br' },
      { firstChunk: true },
    );
    expect(stream.headers['content-encoding']).toBeUndefined();
    expect(stream.bytes.toString('utf8')).toContain('retry: 3000');
    const me = await fetchBytes('/api/auth/me', { cookie, 'accept-encoding': 'gzip' });
    expect(me.headers['content-encoding']).toBeUndefined();
  });
});
