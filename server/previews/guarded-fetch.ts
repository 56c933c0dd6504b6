/**
 * The SSRF-guarded HTTP GET of the preview fetcher: http(s) only, every address checked after
 * DNS and the connection pinned to the checked address, redirects re-checked (at most 5), one
 * deadline for the whole fetch, bodies cut off at a size limit while streaming, content types
 * checked, a User-Agent naming Burrow.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import zlib from 'node:zlib';
import { type AddressPolicy, checkAddress } from './address-policy.ts';
import { UnfurlError } from './unfurl-error.ts';

export const MAX_REDIRECTS = 5;

/** Resolves a host name to every address it has (the DNS delegate; tests may pin names). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface FetchLimits {
  /** Bytes of body (decoded) at most; more is refused while streaming. */
  maxBytes: number;
  /** Content types accepted (`text/html`, or a prefix ending in `/` such as `image/`). */
  accept: readonly string[];
}

export interface FetchOptions extends AddressPolicy {
  /** Ends the whole fetch, redirects included (the caller's deadline). */
  signal: AbortSignal;
  userAgent: string;
  resolve?: Resolver;
}

export interface FetchedBody {
  /** The URL that answered, after redirects. */
  url: string;
  /** The media type, lower case, without parameters. */
  contentType: string;
  /** The `charset` parameter, if any. */
  charset: string | null;
  body: Buffer;
}

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function refusal(url: URL, reason: string): UnfurlError {
  return new UnfurlError(`Burrow does not fetch ${url.host}: ${reason}.`, false);
}

/**
 * The address to connect to for `url`, checked. Every address the name has must pass: a name
 * with one private answer among public ones is refused whole, as its owner picks which one a
 * client uses.
 */
async function checkedTarget(url: URL, options: FetchOptions): Promise<LookupAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refusal(url, 'only http and https are fetched');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const family = isIP(host);
  let addresses: LookupAddress[];
  if (family !== 0) {
    addresses = [{ address: host, family }];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch (error) {
      throw new UnfurlError(`The address ${url.hostname} could not be resolved.`, true, { cause: error });
    }
  }
  if (addresses.length === 0) throw new UnfurlError(`The address ${url.hostname} has no IP address.`, true);
  for (const { address } of addresses) {
    const verdict = checkAddress(address, options);
    if (!verdict.allowed) throw refusal(url, verdict.reason);
  }
  return addresses[0];
}

/** A lookup that answers only the checked address, so the socket connects where the check looked. */
function pinnedLookup(target: LookupAddress): LookupFunction {
  return (_hostname, options, callback) => {
    const done = callback as (...args: unknown[]) => void;
    if (options.all) done(null, [target]);
    else done(null, target.address, target.family);
  };
}

function request(url: URL, target: LookupAddress, options: FetchOptions, accept: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const outgoing = client.request(url, {
      method: 'GET',
      // A connection of its own: never a pooled socket opened for another host or address.
      agent: false,
      lookup: pinnedLookup(target),
      signal: options.signal,
      headers: {
        'user-agent': options.userAgent,
        accept,
        'accept-encoding': 'gzip, deflate, br',
        'accept-language': 'en;q=0.9, *;q=0.5',
      },
    });
    outgoing.once('socket', (socket) => {
      // Belt and braces: the peer must be the address that was checked.
      socket.once('connect', () => {
        if (socket.remoteAddress !== target.address) {
          outgoing.destroy(new UnfurlError('The connection went to an address that was not checked.', false));
        }
      });
    });
    outgoing.once('response', resolve);
    outgoing.once('error', reject);
    outgoing.end();
  });
}

function failureOf(error: unknown, signal: AbortSignal, url: URL): UnfurlError {
  if (error instanceof UnfurlError) return error;
  if (signal.aborted) return new UnfurlError(`${url.host} took too long to answer.`, true, { cause: error });
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return new UnfurlError(`${url.host} could not be reached (${code || String(error)}).`, true, { cause: error });
}

function statusError(status: number, url: URL): UnfurlError {
  const transient = status === 408 || status === 425 || status === 429 || status >= 500;
  return new UnfurlError(`${url.host} answered HTTP ${status}.`, transient);
}

function mediaTypeOf(header: string | undefined): { type: string; charset: string | null } {
  const [type = '', ...parameters] = (header ?? '').split(';');
  const charset = parameters
    .map((parameter) => parameter.trim().split('='))
    .find(([name]) => name.toLowerCase() === 'charset')?.[1];
  return { type: type.trim().toLowerCase(), charset: charset ? charset.replace(/"/g, '').trim() : null };
}

function accepted(type: string, accept: readonly string[]): boolean {
  return accept.some((wanted) => (wanted.endsWith('/') ? type.startsWith(wanted) : type === wanted));
}

/** The decoded body stream, or the response itself when it is not encoded. */
function decoded(response: IncomingMessage, url: URL): NodeJS.ReadableStream {
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  switch (encoding) {
    case 'identity':
    case '':
      return response;
    case 'gzip':
    case 'x-gzip':
      return response.pipe(zlib.createGunzip());
    case 'deflate':
      return response.pipe(zlib.createInflate());
    case 'br':
      return response.pipe(zlib.createBrotliDecompress());
    default:
      response.destroy();
      throw new UnfurlError(`${url.host} sent an encoding Burrow cannot read (${encoding}).`, false);
  }
}

/** Reads the decoded body, refusing it as soon as it passes `maxBytes` (a zip bomb stops there too). */
async function readBody(response: IncomingMessage, url: URL, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  const tooLarge = () => new UnfurlError(`${url.host} sent more than ${Math.round(maxBytes / 1024)} KiB.`, false);
  if (Number.isFinite(declared) && declared > maxBytes && !response.headers['content-encoding']) {
    response.destroy();
    throw tooLarge();
  }
  const stream = decoded(response, url);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > maxBytes) throw tooLarge();
      chunks.push(buffer);
    }
  } finally {
    if (!response.complete) response.destroy();
  }
  return Buffer.concat(chunks, total);
}

function redirectTarget(location: string, from: URL): URL {
  try {
    return new URL(location, from);
  } catch {
    throw new UnfurlError(`${from.host} redirected to an address that is not a URL.`, false);
  }
}

/**
 * GETs `rawUrl` through the guard and returns its body. Throws UnfurlError for every failure:
 * refused addresses and schemes, too many redirects, HTTP errors, wrong content types, bodies
 * over the limit, and the deadline (`options.signal`).
 */
export async function guardedGet(rawUrl: string, limits: FetchLimits, options: FetchOptions): Promise<FetchedBody> {
  let url = new URL(rawUrl);
  const accept = limits.accept.map((type) => (type.endsWith('/') ? `${type}*` : type)).join(', ');
  for (let redirects = 0; ; redirects++) {
    let response: IncomingMessage;
    try {
      const target = await checkedTarget(url, options);
      options.signal.throwIfAborted();
      response = await request(url, target, options, accept);
    } catch (error) {
      throw failureOf(error, options.signal, url);
    }
    const status = response.statusCode ?? 0;
    if (REDIRECTS.has(status)) {
      response.destroy();
      const location = response.headers.location;
      if (!location) throw new UnfurlError(`${url.host} redirected without saying where.`, false);
      if (redirects >= MAX_REDIRECTS) throw new UnfurlError(`More than ${MAX_REDIRECTS} redirects.`, false);
      url = redirectTarget(location, url);
      continue;
    }
    if (status !== 200) {
      response.destroy();
      throw statusError(status, url);
    }
    const { type, charset } = mediaTypeOf(response.headers['content-type']);
    if (!accepted(type, limits.accept)) {
      response.destroy();
      throw new UnfurlError(`${url.host} sent ${type || 'no content type'}, not ${limits.accept.join(' or ')}.`, false);
    }
    try {
      return { url: url.href, contentType: type, charset, body: await readBody(response, url, limits.maxBytes) };
    } catch (error) {
      throw failureOf(error, options.signal, url);
    }
  }
}
