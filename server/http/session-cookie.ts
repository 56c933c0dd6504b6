/** The session cookie: HttpOnly, SameSite=Lax, Path=/, Secure only when the request came over HTTPS. */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ServerConfig } from '../config.ts';
import type { AppEnv } from './app-env.ts';
import { isHttps } from './request-origin.ts';

export const SESSION_COOKIE = 'burrow_session';

export function readSessionCookie(c: Context<AppEnv>): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

export function writeSessionCookie(
  c: Context<AppEnv>,
  config: ServerConfig,
  sessionId: string,
  expiresAt: number,
): void {
  setCookie(c, SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: isHttps(c, config),
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context<AppEnv>, config: ServerConfig): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure: isHttps(c, config) });
}
