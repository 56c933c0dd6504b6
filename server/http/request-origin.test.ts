import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import type { AppEnv } from './app-env.ts';
import { clientIp, isHttps } from './request-origin.ts';

/** An app that answers the client address and scheme it sees, with `BURROW_TRUST_PROXY=hops`. */
async function seen(hops: string, headers: Record<string, string>) {
  const config = loadConfig([], { BURROW_TRUST_PROXY: hops });
  const app = new Hono<AppEnv>().get('/', (c) => c.json({ ip: clientIp(c, config), https: isHttps(c, config) }));
  const response = await app.request('http://burrow.test/', { headers });
  return (await response.json()) as { ip: string; https: boolean };
}

describe('clientIp', () => {
  it('ignores X-Forwarded-For without proxy trust', async () => {
    expect((await seen('0', { 'x-forwarded-for': '203.0.113.1' })).ip).toBe('unknown');
  });

  it('takes the right-most entry behind one trusted proxy, whatever the client wrote before it', async () => {
    expect((await seen('1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.1' })).ip).toBe('203.0.113.1');
    expect((await seen('1', { 'x-forwarded-for': '203.0.113.1' })).ip).toBe('203.0.113.1');
  });

  it('skips the entries of inner trusted proxies: two hops take the second from the right', async () => {
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.1, 10.0.0.2' };
    expect((await seen('2', headers)).ip).toBe('203.0.113.1');
    expect((await seen('3', headers)).ip).toBe('6.6.6.6');
  });

  it('takes the left-most entry of a chain shorter than the trusted hops', async () => {
    expect((await seen('3', { 'x-forwarded-for': '203.0.113.1, 10.0.0.2' })).ip).toBe('203.0.113.1');
  });
});

describe('isHttps', () => {
  it('reads the outer proxy entry of X-Forwarded-Proto, only with trust', async () => {
    expect((await seen('0', { 'x-forwarded-proto': 'https' })).https).toBe(false);
    expect((await seen('1', { 'x-forwarded-proto': 'https' })).https).toBe(true);
    expect((await seen('2', { 'x-forwarded-proto': 'https, http' })).https).toBe(true);
  });
});
