/** Where a request came from: HTTPS or not, the server's own origin, the client IP. */
import type { Context } from 'hono';
import type { ServerConfig } from '../config.ts';
import type { AppEnv } from './app-env.ts';

/** True when the request reached us over HTTPS (or a trusted proxy says it did). */
export function isHttps(c: Context<AppEnv>, config: ServerConfig): boolean {
  if (config.trustProxy) {
    const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0].trim().toLowerCase();
    if (forwarded) return forwarded === 'https';
  }
  return new URL(c.req.url).protocol === 'https:';
}

/** The origin the browser used to reach this server (scheme, host and port). */
export function ownOrigin(c: Context<AppEnv>, config: ServerConfig): string {
  const url = new URL(c.req.url);
  return `${isHttps(c, config) ? 'https:' : url.protocol}//${url.host}`;
}

/** The client's IP: the socket's, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientIp(c: Context<AppEnv>, config: ServerConfig): string {
  if (config.trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0].trim();
    if (forwarded) return forwarded;
  }
  return c.env?.incoming?.socket.remoteAddress ?? 'unknown';
}
