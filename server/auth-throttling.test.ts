import { afterEach, describe, expect, it } from 'vitest';
import { json, jsonInit, signUp, startTestServer, type TestServer } from './test-support/test-server.ts';

let server: TestServer;
afterEach(() => server?.close());

const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  server.request('/api/auth/login', jsonInit('POST', { email, password }, headers));
const signup = (email: string, headers: Record<string, string> = {}) =>
  server.request('/api/auth/signup', jsonInit('POST', { email, password: 'correct horse' }, headers));
const from = (address: string) => ({ 'x-forwarded-for': address });

async function statuses(responses: Promise<Response>[]): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  for (const response of await Promise.all(responses)) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

describe('sign-in throttling', () => {
  it('checks no more passwords than the limit when 40 wrong sign-ins for one account arrive at once', async () => {
    server = startTestServer({ BURROW_LOGIN_LIMIT: '10' });
    await signUp(server, 'burst@example.com');
    const attempts = Array.from({ length: 40 }, () => login('burst@example.com', 'wrong password'));
    expect(await statuses(attempts)).toEqual({ 401: 10, 429: 30 });
  });

  it('answers the refused attempts 429 rate-limited with a Retry-After', async () => {
    server = startTestServer({ BURROW_LOGIN_LIMIT: '2' });
    await signUp(server, 'wait@example.com');
    for (let i = 0; i < 2; i++) expect((await login('wait@example.com', 'wrong password')).status).toBe(401);
    const refused = await login('wait@example.com', 'correct horse');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await json(refused)).code).toBe('rate-limited');
  });

  it('does not lock a person out after ten failures for made-up emails from their address', async () => {
    server = startTestServer({ BURROW_LOGIN_LIMIT: '10' });
    await signUp(server, 'person@example.com');
    for (let i = 0; i < 10; i++) expect((await login(`made-up-${i}@example.com`, 'wrong password')).status).toBe(401);
    expect((await login('person@example.com', 'correct horse')).status).toBe(200);
  });

  it("does not lock a person out after someone else's failures for their email from another address", async () => {
    server = startTestServer({ BURROW_LOGIN_LIMIT: '5', BURROW_TRUST_PROXY: '1' });
    await signUp(server, 'victim@example.com');
    const attacker = from('203.0.113.66');
    const tries = await statuses(Array.from({ length: 15 }, () => login('victim@example.com', 'guess123', attacker)));
    expect(tries).toEqual({ 401: 5, 429: 10 });
    expect((await login('victim@example.com', 'correct horse', from('198.51.100.7'))).status).toBe(200);
  });

  it('limits one address across many accounts, whatever it writes on the left of X-Forwarded-For', async () => {
    server = startTestServer({ BURROW_LOGIN_LIMIT: '3', BURROW_LOGIN_ADDRESS_LIMIT: '5', BURROW_TRUST_PROXY: '1' });
    const spoofed = (i: number) => from(`10.9.${i}.1, 203.0.113.9`);
    for (let i = 0; i < 5; i++)
      expect((await login(`spray-${i}@example.com`, 'wrong password', spoofed(i))).status).toBe(401);
    const sixth = await login('spray-5@example.com', 'wrong password', spoofed(5));
    expect(sixth.status).toBe(429);
    expect((await login('spray-6@example.com', 'wrong password', from('203.0.113.10'))).status).toBe(401);
  });

  it('counts trusted hops from the right: with two proxies, the address before the last entry is the client', async () => {
    server = startTestServer({ BURROW_LOGIN_ADDRESS_LIMIT: '2', BURROW_TRUST_PROXY: '2' });
    const via = (client: string, i: number) => from(`198.18.0.${i}, ${client}, 10.0.0.${i}`);
    expect((await login('a@example.com', 'wrong password', via('198.51.100.1', 1))).status).toBe(401);
    expect((await login('b@example.com', 'wrong password', via('198.51.100.1', 2))).status).toBe(401);
    expect((await login('c@example.com', 'wrong password', via('198.51.100.1', 3))).status).toBe(429);
    expect((await login('c@example.com', 'wrong password', via('198.51.100.2', 3))).status).toBe(401);
  });

  it('gives a successful sign-in its place back, so only failures count against the address', async () => {
    server = startTestServer({ BURROW_LOGIN_ADDRESS_LIMIT: '2' });
    await signUp(server, 'often@example.com');
    for (let i = 0; i < 5; i++) expect((await login('often@example.com', 'correct horse')).status).toBe(200);
    expect((await login('x@example.com', 'wrong password')).status).toBe(401);
  });
});

describe('sign-up limits', () => {
  it('limits sign-ups per address with 429 and Retry-After; other addresses go on', async () => {
    server = startTestServer({ BURROW_SIGNUP_LIMIT: '3', BURROW_TRUST_PROXY: '1' });
    for (let i = 0; i < 3; i++) expect((await signup(`new-${i}@example.com`, from('203.0.113.5'))).status).toBe(201);
    const fourth = await signup('new-3@example.com', from('203.0.113.5'));
    expect(fourth.status).toBe(429);
    expect((await json(fourth)).code).toBe('rate-limited');
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signup('new-4@example.com', from('203.0.113.6'))).status).toBe(201);
  });

  it('runs a bounded number of password hashes and answers the overflow 503 server-busy with Retry-After', async () => {
    server = startTestServer({
      BURROW_HASH_CONCURRENCY: '1',
      BURROW_HASH_QUEUE_LIMIT: '1',
      BURROW_SCRYPT_COST: String(2 ** 14),
    });
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => signup(`flood-${i}@example.com`)));
    expect(responses.map((response) => response.status).sort()).toEqual([201, 201, 503, 503, 503, 503]);
    for (const busy of responses.filter((response) => response.status === 503)) {
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await json(busy)).code).toBe('server-busy');
    }
    // Refused sign-ups created nothing: the same emails can sign up once the flood is over.
    const refused = responses.findIndex((response) => response.status === 503);
    expect((await signup(`flood-${refused}@example.com`)).status).toBe(201);
  });
});
