import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FixtureSite,
  htmlPage,
  redirectTo,
  sendBytes,
  sendHtml,
  startFixtureSite,
} from '../test-support/fixture-site.ts';
import { type FetchOptions, guardedGet, type Resolver } from './guarded-fetch.ts';
import { UnfurlError } from './unfurl-error.ts';

const HTML = { maxBytes: 2 * 1024 * 1024, accept: ['text/html', 'application/xhtml+xml'] };
const USER_AGENT = 'Burrow/0.1 (link previews)';

let site: FixtureSite;
let controller: AbortController;
beforeEach(async () => {
  site = await startFixtureSite();
  controller = new AbortController();
});
afterEach(async () => {
  controller.abort();
  await site.close();
});

function options(overrides: Partial<FetchOptions> = {}): FetchOptions {
  return { allowPrivate: true, signal: controller.signal, userAgent: USER_AGENT, ...overrides };
}

/** A resolver for names that exist only in the test; every call is logged. */
function pinnedNames(names: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (hostname: string) => {
    calls.push(hostname);
    const addresses = names[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolver, { calls });
}

async function failure(promise: Promise<unknown>): Promise<UnfurlError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UnfurlError);
  return error as UnfurlError;
}

describe('guardedGet', () => {
  describe('a page', () => {
    it('returns the body, its type and charset, and names Burrow in the User-Agent', async () => {
      site.route('/page', sendHtml(htmlPage('<title>Hi</title>')));
      const fetched = await guardedGet(`${site.origin}/page`, HTML, options());
      expect(fetched).toMatchObject({ url: `${site.origin}/page`, contentType: 'text/html', charset: 'utf-8' });
      expect(fetched.body.toString()).toContain('<title>Hi</title>');
      expect(site.requests[0].userAgent).toBe(USER_AGENT);
    });

    it('decodes a gzip body', async () => {
      const html = htmlPage('<title>Zipped</title>');
      site.route('/zipped', (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        response.end(gzipSync(html));
      });
      expect((await guardedGet(`${site.origin}/zipped`, HTML, options())).body.toString()).toBe(html);
    });
  });

  describe('addresses', () => {
    it('refuses a loopback site unless private targets are allowed, and never connects', async () => {
      site.route('/page', sendHtml(htmlPage('')));
      const error = await failure(guardedGet(`${site.origin}/page`, HTML, options({ allowPrivate: false })));
      expect(error.message).toBe(
        'Burrow does not fetch 127.0.0.1:' + new URL(site.origin).port + ': it resolves to a loopback address.',
      );
      expect(error.transient).toBe(false);
      expect(site.requests).toEqual([]);
    });

    it.each(['ftp://example.com/', 'file:///etc/passwd'])('refuses the scheme of %s', async (url) => {
      const error = await failure(guardedGet(url, HTML, options()));
      expect(error.message).toContain('only http and https are fetched');
    });

    it('refuses a name that resolves to a private address', async () => {
      const resolve = pinnedNames({ 'intranet.test': ['10.0.0.7'] });
      const error = await failure(guardedGet('http://intranet.test/', HTML, options({ allowPrivate: false, resolve })));
      expect(error.message).toContain('private address');
    });

    it('refuses a name with one private answer among public ones', async () => {
      const resolve = pinnedNames({ 'mixed.test': ['93.184.215.14', '127.0.0.1'] });
      const error = await failure(guardedGet('http://mixed.test/', HTML, options({ allowPrivate: false, resolve })));
      expect(error.message).toContain('loopback address');
    });

    it('connects to the address it checked: one lookup, and the request reaches it under the name', async () => {
      site.route('/page', sendHtml(htmlPage('<title>Pinned</title>')));
      const port = new URL(site.origin).port;
      // The name exists only in this resolver: a second lookup by the socket would fail with ENOTFOUND.
      const resolve = pinnedNames({ 'pinned.test': ['127.0.0.1'] });
      const fetched = await guardedGet(`http://pinned.test:${port}/page`, HTML, options({ resolve }));
      expect(fetched.body.toString()).toContain('Pinned');
      expect(resolve.calls).toEqual(['pinned.test']);
      expect(site.requests[0].host).toBe(`pinned.test:${port}`);
    });
  });

  describe('redirects', () => {
    it('follows up to 5 redirects', async () => {
      for (let hop = 1; hop <= 5; hop++) site.route(`/hop${hop}`, redirectTo(hop === 5 ? '/end' : `/hop${hop + 1}`));
      site.route('/end', sendHtml(htmlPage('<title>End</title>')));
      const fetched = await guardedGet(`${site.origin}/hop1`, HTML, options());
      expect(fetched.url).toBe(`${site.origin}/end`);
    });

    it('refuses a sixth redirect without following it', async () => {
      for (let hop = 1; hop <= 6; hop++) site.route(`/hop${hop}`, redirectTo(hop === 6 ? '/end' : `/hop${hop + 1}`));
      site.route('/end', sendHtml(htmlPage('')));
      const error = await failure(guardedGet(`${site.origin}/hop1`, HTML, options()));
      expect(error.message).toBe('More than 5 redirects.');
      expect(site.hits('/end')).toBe(0);
    });

    it.each([
      ['link-local (cloud metadata)', 'http://169.254.169.254/latest/meta-data/', 'link-local'],
      ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/', 'IPv4-mapped'],
      ['unspecified', 'http://0.0.0.0/', 'unspecified'],
      ['another scheme', 'file:///etc/passwd', 'only http and https'],
    ])('re-checks a redirect to %s and refuses it', async (_name, location, words) => {
      site.route('/go', redirectTo(location));
      const error = await failure(guardedGet(`${site.origin}/go`, HTML, options()));
      expect(error.message).toContain(words);
    });

    it('resolves and checks the name of each redirect: a name of a refused address is not fetched', async () => {
      const port = new URL(site.origin).port;
      const resolve = pinnedNames({ 'second.test': ['127.0.0.1'], 'metadata.test': ['169.254.169.254'] });
      site.route('/to-second', redirectTo(`http://second.test:${port}/end`));
      site.route('/to-metadata', redirectTo('http://metadata.test/latest/meta-data/'));
      site.route('/end', sendHtml(htmlPage('<title>Second</title>')));
      expect((await guardedGet(`${site.origin}/to-second`, HTML, options({ resolve }))).url).toBe(
        `http://second.test:${port}/end`,
      );
      const error = await failure(guardedGet(`${site.origin}/to-metadata`, HTML, options({ resolve })));
      expect(error.message).toBe('Burrow does not fetch metadata.test: it resolves to a link-local address.');
      expect(resolve.calls).toEqual(['second.test', 'metadata.test']);
    });
  });

  describe('limits', () => {
    it('gives up at the deadline when the site never answers', async () => {
      site.route('/silent', () => {});
      const signal = AbortSignal.timeout(300);
      const error = await failure(guardedGet(`${site.origin}/silent`, HTML, options({ signal })));
      expect(error.message).toBe(`${new URL(site.origin).host} took too long to answer.`);
      expect(error.transient).toBe(true);
    });

    it('gives up at the deadline when the body drips', async () => {
      site.route('/drip', (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.write('<html><head>');
        const timer = setInterval(() => response.write(' '), 50);
        response.once('close', () => clearInterval(timer));
      });
      const signal = AbortSignal.timeout(300);
      const error = await failure(guardedGet(`${site.origin}/drip`, HTML, options({ signal })));
      expect(error.message).toContain('took too long');
    });

    it('refuses a body over the limit while streaming, without a Content-Length', async () => {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      site.route('/huge', (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        const pump = () => {
          while (sent < 64 * 1024 * 1024 && response.write(chunk)) sent += chunk.length;
          if (sent < 64 * 1024 * 1024) response.once('drain', pump);
          else response.end();
        };
        pump();
      });
      const error = await failure(guardedGet(`${site.origin}/huge`, HTML, options()));
      expect(error.message).toBe(`${new URL(site.origin).host} sent more than 2048 KiB.`);
      expect(sent).toBeLessThan(16 * 1024 * 1024);
    });

    it('refuses a declared Content-Length over the limit before reading', async () => {
      site.route('/declared', sendBytes(Buffer.alloc(3 * 1024 * 1024, 'a'), 'text/html'));
      const error = await failure(guardedGet(`${site.origin}/declared`, HTML, options()));
      expect(error.message).toContain('sent more than 2048 KiB');
    });

    it('counts decoded bytes: a small gzip of 10 MiB is refused', async () => {
      const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 'a'));
      expect(bomb.length).toBeLessThan(64 * 1024);
      site.route('/bomb', (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        response.end(bomb);
      });
      const error = await failure(guardedGet(`${site.origin}/bomb`, HTML, options()));
      expect(error.message).toContain('sent more than 2048 KiB');
    });
  });

  describe('answers', () => {
    it('refuses a content type it did not ask for', async () => {
      site.route('/data', sendBytes(Buffer.from('{}'), 'application/json'));
      const error = await failure(guardedGet(`${site.origin}/data`, HTML, options()));
      expect(error.message).toBe(
        `${new URL(site.origin).host} sent application/json, not text/html or application/xhtml+xml.`,
      );
      expect(error.transient).toBe(false);
    });

    it.each([
      [404, false],
      [410, false],
      [429, true],
      [503, true],
    ])('answers HTTP %i as transient=%s', async (status, transient) => {
      site.route('/status', sendHtml('', status));
      const error = await failure(guardedGet(`${site.origin}/status`, HTML, options()));
      expect(error.message).toBe(`${new URL(site.origin).host} answered HTTP ${status}.`);
      expect(error.transient).toBe(transient);
    });

    it('reports a site that refuses connections as transient', async () => {
      const closed = await startFixtureSite();
      const origin = closed.origin;
      await closed.close();
      const error = await failure(guardedGet(`${origin}/`, HTML, options()));
      expect(error.message).toContain('could not be reached (ECONNREFUSED)');
      expect(error.transient).toBe(true);
    });
  });
});
