import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './storage/sqlite-store.ts';
import { json, jsonInit, startTestServer, type TestServer } from './test-support/test-server.ts';

let server: TestServer;
beforeEach(() => {
  server = startTestServer();
});
afterEach(() => server.close());

const signup = (email: string, password = 'correct horse') =>
  server.request('/api/auth/signup', jsonInit('POST', { email, password }));
const login = (email: string, password = 'correct horse') =>
  server.request('/api/auth/login', jsonInit('POST', { email, password }));

const NFC = 'caf\u00e9@example.com';
const NFD = 'cafe\u0301@example.com';

describe('account input', () => {
  describe('emails', () => {
    it('are one account whether typed in NFC or NFD, in any case', async () => {
      const created = await signup(NFC);
      expect(created.status).toBe(201);
      expect((await json(created)).user.email).toBe(NFC);
      const twin = await signup(NFD.toUpperCase());
      expect(twin.status).toBe(409);
      expect((await json(twin)).code).toBe('email-taken');
      expect((await login(NFD)).status).toBe(200);
      expect((await login('CAFE\u0301@EXAMPLE.COM')).status).toBe(200);
    });

    it('refuses control and invisible characters with 400 at /email, creating nothing', async () => {
      for (const email of [
        'a\u0000b@example.com',
        'ann@exa\u0007mple.com',
        'a\u200bb@example.com',
        'ann\u202e@example.com',
      ]) {
        const response = await signup(email);
        expect(response.status).toBe(400);
        const body = await json(response);
        expect(body.code).toBe('invalid-request');
        expect(body.errors).toEqual([{ pointer: '/email', detail: expect.stringMatching(/control or invisible/) }]);
        expect((await login(email)).status).toBe(400);
      }
    });
  });

  describe('passwords', () => {
    it.each([
      ['one of the most common', '12345678', /most common/],
      ['a common one with symbols for letters', 'p@ssw0rd!', /most common/],
      ['a common one with digits after it', 'sunshine2024', /most common/],
      ['the email itself', 'pat.doe@example.com', /email/],
      ['made of the email', 'pat.doe-1234', /email/],
      ['one character repeated', 'aaaaaaaaaa', /repeated/],
    ])('refuses %s with 400 weak-password and a readable reason at /password', async (_name, password, reason) => {
      const response = await signup('pat.doe@example.com', password);
      expect(response.status).toBe(400);
      const body = await json(response);
      expect(body.code).toBe('weak-password');
      expect(body.detail).toMatch(reason);
      expect(body.errors).toEqual([{ pointer: '/password', detail: expect.stringMatching(reason) }]);
      expect((await login('pat.doe@example.com', password)).status).toBe(401);
    });

    it('accepts a password that is neither common nor made of the email', async () => {
      expect((await signup('pat.doe@example.com', 'lantern orchard 42')).status).toBe(201);
    });
  });
});

describe('emails stored before normalisation', () => {
  it('are brought to NFC when the database opens, so their owner can still sign in', async () => {
    await signup('legacy@example.com');
    await server.store.close();
    const file = `${server.dir}/burrow.sqlite`;
    const raw = new Database(file);
    raw.prepare('UPDATE users SET email = ? WHERE email = ?').run(NFD, 'legacy@example.com');
    raw.close();
    const reopened = openSqliteStore(file);
    expect((await reopened.findCredentials(NFC))?.user.email).toBe(NFC);
    await reopened.close();
  });
});

describe('BURROW_PUBLIC_URL', () => {
  it('refuses requests for any other Host with 421 wrong-host, pages and API alike', async () => {
    await server.close();
    server = startTestServer({ BURROW_PUBLIC_URL: 'https://burrow.test' });
    const rebound = 'http://evil.example:8787';
    for (const path of ['/', '/share?title=x', '/api/auth/me']) {
      const response = await server.request(new URL(path, rebound).href);
      expect(response.status).toBe(421);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await json(response)).code).toBe('wrong-host');
    }
    const signupElsewhere = await server.request(
      `${rebound}/api/auth/signup`,
      jsonInit('POST', { email: 'rebind@example.com', password: 'correct horse' }),
    );
    expect(signupElsewhere.status).toBe(421);
    expect((await signup('rebind@example.com')).status).toBe(201);
    expect((await server.request(`${rebound}/api/health`)).status).toBe(200);
  });

  it('accepts every Host when it is not set', async () => {
    expect((await server.request('http://other.example/api/health')).status).toBe(200);
    expect((await server.request('http://other.example/api/auth/me')).status).toBe(401);
  });
});
