/**
 * The real build carries a brotli and a gzip copy of its scripts, styles and service worker,
 * and the server process sends them by Accept-Encoding.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.ts';

const DIST = join(REPO_ROOT, 'dist');

/** The page's scripts and styles and the worker: what a first visit downloads. */
function shippedCode(): string[] {
  const assets = readdirSync(join(DIST, 'assets'))
    .filter((file) => /\.(?:js|css)$/.test(file))
    .map((file) => `assets/${file}`);
  return [...assets, 'sw.js'];
}

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

function getRaw(
  pathname: string,
  acceptEncoding: string,
): Promise<{ encoding?: string; vary?: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const url = new URL(pathname, server.url);
    const request = httpRequest(url, { headers: { 'accept-encoding': acceptEncoding }, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          encoding: response.headers['content-encoding'],
          vary: response.headers.vary,
          bytes: Buffer.concat(chunks),
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the built app', () => {
  it('has a brotli and a gzip copy of each script, style and the worker, equal to the file', () => {
    for (const file of shippedCode()) {
      const original = readFileSync(join(DIST, file));
      if (original.length < 1024) continue;
      expect(existsSync(join(DIST, `${file}.br`)), file).toBe(true);
      expect(brotliDecompressSync(readFileSync(join(DIST, `${file}.br`))).equals(original), file).toBe(true);
      expect(gunzipSync(readFileSync(join(DIST, `${file}.gz`))).equals(original), file).toBe(true);
    }
  });

  it('is served compressed to a browser that accepts it', async () => {
    let sent = 0;
    let onWire = 0;
    for (const file of shippedCode()) {
      const original = readFileSync(join(DIST, file));
      if (original.length < 1024) continue;
      const response = await getRaw(`/${file}`, 'gzip, deflate, br, zstd');
      expect(response.encoding, file).toBe('br');
      expect(response.vary, file).toMatch(/accept-encoding/i);
      expect(brotliDecompressSync(response.bytes).equals(original), file).toBe(true);
      sent += original.length;
      onWire += response.bytes.length;
    }
    console.log(
      `the app's code: ${(sent / 1024).toFixed(1)} KiB as built, ${(onWire / 1024).toFixed(1)} KiB sent (brotli)`,
    );
  });
});
