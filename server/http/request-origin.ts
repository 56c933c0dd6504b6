/** Where a request came from: HTTPS or not, the server's own origin, the client's address. */
import type { Context } from 'hono';
import type { ServerConfig } from '../config.ts';
import type { AppEnv } from './app-env.ts';

/** A comma-separated forwarding header as its entries, left to right. */
function entries(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * The entry a trusted proxy chain of `hops` proxies wrote for the client: the right-most
 * `hops - 1` entries were added by our inner proxies, so the client's is the one before them.
 * A chain shorter than that (a proxy bypassed) gives its left-most entry.
 */
function entryForClient(list: string[], hops: number): string | undefined {
  if (list.length === 0) return undefined;
  return list[Math.max(0, list.length - hops)];
}

/** True when the request reached us over HTTPS (or the trusted proxy says it did). */
export function isHttps(c: Context<AppEnv>, config: ServerConfig): boolean {
  if (config.trustProxy > 0) {
    const forwarded = entryForClient(entries(c.req.header('x-forwarded-proto')), config.trustProxy);
    if (forwarded) return forwarded.toLowerCase() === 'https';
  }
  return new URL(c.req.url).protocol === 'https:';
}

/** The origin the browser used to reach this server (scheme, host and port). */
export function ownOrigin(c: Context<AppEnv>, config: ServerConfig): string {
  const url = new URL(c.req.url);
  return `${isHttps(c, config) ? 'https:' : url.protocol}//${url.host}`;
}

/**
 * The client's address. Without proxy trust, the socket's. With `BURROW_TRUST_PROXY=N`, the
 * socket is the N-th trusted proxy from us, and each trusted proxy appends the address it saw
 * to `X-Forwarded-For`: the client is the right-most address no trusted proxy vouches for,
 * the N-th from the right. Entries left of it are whatever the client sent (anyone can write
 * them), so they are never used.
 */
export function clientIp(c: Context<AppEnv>, config: ServerConfig): string {
  const socket = c.env?.incoming?.socket.remoteAddress ?? 'unknown';
  if (config.trustProxy === 0) return socket;
  return entryForClient(entries(c.req.header('x-forwarded-for')), config.trustProxy) ?? socket;
}
