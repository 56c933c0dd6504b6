import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../protocol/index.ts';
import { json, jsonInit, ORIGIN, signUp, startTestServer, type TestServer } from './test-support/test-server.ts';

let server: TestServer;
beforeEach(() => {
  server = startTestServer({ BURROW_LOGIN_LIMIT: '3' });
});
afterEach(() => server.close());

const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  server.request('/api/auth/login', jsonInit('POST', { email, password }, headers));

describe('auth', () => {
  describe('signup', () => {
    it('answers 201 {user, workspaces} with a default "Personal" workspace in the change feed, and a session cookie', async () => {
      const response = await server.request(
        '/api/auth/signup',
        jsonInit('POST', { email: 'Ann@Example.com', password: 'long enough' }),
      );
      expect(response.status).toBe(201);
      const account = await json(response);
      expect(account.user).toEqual({ id: expect.any(String), email: 'ann@example.com' });
      expect(account.workspaces).toEqual([
        expect.objectContaining({ table: 'workspaces', version: 1, fields: { name: 'Personal' } }),
      ]);
      expect(account.workspaces[0].workspaceId).toBe(account.workspaces[0].id);
      const cookie = response.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^burrow_session=[\w-]{43};/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/');
      expect(cookie).not.toContain('Secure');
      const pull = await json(
        await server.request('/api/sync/pull?cursor=0', { headers: { cookie: cookie.split(';')[0] } }),
      );
      expect(pull.changes).toEqual(account.workspaces);
    });

    it('marks the cookie Secure when the request came over HTTPS', async () => {
      const response = await server.request(
        'https://burrow.test/api/auth/signup',
        jsonInit('POST', { email: 's@example.com', password: 'long enough' }),
      );
      expect(response.headers.get('set-cookie')).toContain('Secure');
    });

    it('trusts X-Forwarded-Proto for Secure only when configured to', async () => {
      const forwarded = { 'x-forwarded-proto': 'https' };
      const body = (email: string) => ({ email, password: 'long enough' });
      const untrusted = await server.request('/api/auth/signup', jsonInit('POST', body('p1@example.com'), forwarded));
      expect(untrusted.headers.get('set-cookie')).not.toContain('Secure');
      await server.close();
      server = startTestServer({ BURROW_TRUST_PROXY: '1' });
      const trusted = await server.request('/api/auth/signup', jsonInit('POST', body('p2@example.com'), forwarded));
      expect(trusted.headers.get('set-cookie')).toContain('Secure');
    });

    it('refuses a taken email (any case) with 409 email-taken', async () => {
      await signUp(server, 'taken@example.com');
      const response = await server.request(
        '/api/auth/signup',
        jsonInit('POST', { email: 'TAKEN@example.com', password: 'long enough' }),
      );
      expect(response.status).toBe(409);
      expect((await json(response)).code).toBe('email-taken');
    });

    it('refuses a short password or a bad email with 400 and pointers', async () => {
      const response = await server.request('/api/auth/signup', jsonInit('POST', { email: 'nope', password: 'short' }));
      expect(response.status).toBe(400);
      expect((await json(response)).errors.map((error: { pointer: string }) => error.pointer)).toEqual([
        '/email',
        '/password',
      ]);
    });
  });

  describe('login', () => {
    it('answers 200 {user, workspaces} and a new session', async () => {
      const user = await signUp(server, 'in@example.com');
      const response = await login('in@example.com', 'correct horse');
      expect(response.status).toBe(200);
      expect((await json(response)).user.id).toBe(user.id);
      const cookie = response.headers.get('set-cookie')!.split(';')[0];
      expect(cookie).not.toBe(user.cookie);
      expect((await server.request('/api/auth/me', { headers: { cookie } })).status).toBe(200);
    });

    it('answers the same 401 bad-credentials for a wrong password and an unknown email', async () => {
      await signUp(server, 'who@example.com');
      const wrong = await json(await login('who@example.com', 'wrong password'));
      const unknown = await json(await login('nobody@example.com', 'wrong password'));
      expect(wrong).toEqual(unknown);
      expect(wrong).toMatchObject({ status: 401, code: 'bad-credentials' });
    });

    it('answers 429 with Retry-After after repeated failures for an email, even with the right password', async () => {
      await signUp(server, 'slow@example.com');
      for (let i = 0; i < 3; i++) expect((await login('slow@example.com', 'wrong password')).status).toBe(401);
      const blocked = await login('slow@example.com', 'correct horse');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await json(blocked)).code).toBe('rate-limited');
    });
  });

  describe('sessions', () => {
    it('me answers {user, workspaces}; logout ends the session with 204', async () => {
      const user = await signUp(server);
      const me = await json(await user.send('/api/auth/me'));
      expect(me.user).toEqual({ id: user.id, email: user.email });
      const logout = await user.send('/api/auth/logout', { method: 'POST' });
      expect(logout.status).toBe(204);
      expect(logout.headers.get('set-cookie')).toContain('Max-Age=0');
      expect((await user.send('/api/auth/me')).status).toBe(401);
    });

    it('renews a session used in the second half of its lifetime, and only then', async () => {
      await server.close();
      server = startTestServer({ BURROW_SESSION_TTL_MS: '1000' });
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        const user = await signUp(server);
        vi.setSystemTime(Date.now() + 400);
        expect((await user.send('/api/auth/me')).headers.get('set-cookie')).toBeNull();
        vi.setSystemTime(Date.now() + 200);
        const renewed = await user.send('/api/auth/me');
        expect(renewed.status).toBe(200);
        expect(renewed.headers.get('set-cookie')).toContain(user.cookie);
        vi.setSystemTime(Date.now() + 900);
        expect((await user.send('/api/auth/me')).status).toBe(200);
        vi.setSystemTime(Date.now() + 1001);
        expect((await user.send('/api/auth/me')).status).toBe(401);
      } finally {
        vi.useRealTimers();
      }
    });

    it('answers 401 unauthorized without a session, with a bogus one, or with a bad token', async () => {
      const attempts: Record<string, string>[] = [
        {},
        { cookie: 'burrow_session=forged' },
        { authorization: 'Bearer nope' },
        { authorization: 'Basic x' },
      ];
      for (const headers of attempts) {
        const response = await server.request('/api/auth/me', { headers });
        expect(response.status).toBe(401);
        expect((await json(response)).code).toBe('unauthorized');
      }
    });
  });

  describe('tokens', () => {
    it('creates a bearer token shown once, which authenticates until deleted', async () => {
      const user = await signUp(server);
      const created = await user.send('/api/auth/tokens', { method: 'POST', body: { name: 'script' } });
      expect(created.status).toBe(201);
      const { id, name, token } = await json(created);
      expect(name).toBe('script');
      expect(token).toMatch(/^burrow_/);
      const bearer = { authorization: `Bearer ${token}` };
      const me = await json(await server.request('/api/auth/me', { headers: bearer }));
      expect(me.user.id).toBe(user.id);
      const list = await json(await user.send('/api/auth/tokens'));
      expect(list.items).toEqual([{ id, name: 'script', createdAt: expect.any(String), expiresAt: null }]);
      expect(JSON.stringify(list)).not.toContain(token);
      expect((await user.send(`/api/auth/tokens/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await server.request('/api/auth/me', { headers: bearer })).status).toBe(401);
      expect((await user.send(`/api/auth/tokens/${id}`, { method: 'DELETE' })).status).toBe(404);
    });

    it('refuses a token without a valid name', async () => {
      const user = await signUp(server);
      const response = await user.send('/api/auth/tokens', { method: 'POST', body: { name: '' } });
      expect(response.status).toBe(400);
    });
  });

  describe('CSRF', () => {
    it('refuses a cookie-authenticated write from another origin with 403 csrf', async () => {
      const user = await signUp(server);
      const response = await user.send('/api/auth/tokens', {
        method: 'POST',
        body: { name: 'x' },
        headers: { origin: 'https://evil.example' },
      });
      expect(response.status).toBe(403);
      expect((await json(response)).code).toBe('csrf');
      const pushed = await user.send('/api/sync/push', {
        method: 'POST',
        headers: { origin: 'null', 'idempotency-key': newId() },
        body: {},
      });
      expect(pushed.status).toBe(403);
    });

    it('accepts writes from its own origin and writes without Origin', async () => {
      const user = await signUp(server);
      const same = await user.send('/api/auth/tokens', {
        method: 'POST',
        body: { name: 'x' },
        headers: { origin: ORIGIN },
      });
      expect(same.status).toBe(201);
      const none = await user.send('/api/auth/tokens', { method: 'POST', body: { name: 'y' } });
      expect(none.status).toBe(201);
    });

    it('does not apply to bearer-authenticated writes or to reads', async () => {
      const user = await signUp(server);
      const { token } = await json(await user.send('/api/auth/tokens', { method: 'POST', body: { name: 't' } }));
      const evil = { origin: 'https://evil.example' };
      const bearer = await server.request(
        '/api/workspaces',
        jsonInit(
          'POST',
          { fields: { name: 'From a script' } },
          { ...evil, authorization: `Bearer ${token}`, 'idempotency-key': newId() },
        ),
      );
      expect(bearer.status).toBe(201);
      expect((await user.send('/api/auth/me', { headers: evil })).status).toBe(200);
    });

    it('refuses a cross-site login (login CSRF)', async () => {
      await signUp(server, 'csrf@example.com');
      const response = await login('csrf@example.com', 'correct horse', { origin: 'https://evil.example' });
      expect(response.status).toBe(403);
    });
  });
});
