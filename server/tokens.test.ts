import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { json, jsonInit, signUp, startTestServer, type TestServer, type TestUser } from './test-support/test-server.ts';

let server: TestServer;
let user: TestUser;
beforeEach(async () => {
  server = startTestServer();
  user = await signUp(server);
});
afterEach(async () => {
  vi.useRealTimers();
  await server.close();
});

async function createToken(body: Record<string, unknown> = { name: 'script' }) {
  const response = await user.send('/api/auth/tokens', { method: 'POST', body });
  return { response, body: await json(response) };
}

const asBearer = (token: string, init: RequestInit = {}) => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
});

describe('API tokens', () => {
  describe('management needs a session', () => {
    it('refuses a bearer token that creates, lists or revokes tokens with 403 forbidden', async () => {
      const { body: first } = await createToken();
      const attempts = [
        server.request('/api/auth/tokens', asBearer(first.token, jsonInit('POST', { name: 'minted' }))),
        server.request('/api/auth/tokens', asBearer(first.token)),
        server.request(`/api/auth/tokens/${first.id}`, asBearer(first.token, { method: 'DELETE' })),
      ];
      for (const response of await Promise.all(attempts)) {
        expect(response.status).toBe(403);
        const problem = await json(response);
        expect(problem.code).toBe('forbidden');
        expect(problem.detail).toMatch(/signed-in session/);
      }
      expect((await json(await user.send('/api/auth/tokens'))).items.map((item: { id: string }) => item.id)).toEqual([
        first.id,
      ]);
    });

    it('leaves no token alive after the revocation of every token the session made', async () => {
      const { body: first } = await createToken();
      await server.request('/api/auth/tokens', asBearer(first.token, jsonInit('POST', { name: 'minted' })));
      expect((await user.send(`/api/auth/tokens/${first.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await json(await user.send('/api/auth/tokens'))).items).toEqual([]);
      expect((await server.request('/api/auth/me', asBearer(first.token))).status).toBe(401);
    });
  });

  describe('expiry', () => {
    it('is optional, listed, and an expired token is unauthorized', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const expiresAt = new Date(Date.now() + 60 * 60 * 1000).toISOString();
      const { response, body } = await createToken({ name: 'for an hour', expiresAt });
      expect(response.status).toBe(201);
      expect(body.expiresAt).toBe(expiresAt);
      const { body: forever } = await createToken({ name: 'forever' });
      expect(forever.expiresAt).toBeNull();
      const list = await json(await user.send('/api/auth/tokens'));
      expect(list.items).toEqual([
        { id: body.id, name: 'for an hour', createdAt: expect.any(String), expiresAt },
        { id: forever.id, name: 'forever', createdAt: expect.any(String), expiresAt: null },
      ]);
      expect((await server.request('/api/auth/me', asBearer(body.token))).status).toBe(200);
      vi.setSystemTime(Date.parse(expiresAt) + 1);
      const expired = await server.request('/api/auth/me', asBearer(body.token));
      expect(expired.status).toBe(401);
      expect(await json(expired)).toMatchObject({ code: 'unauthorized', detail: expect.stringMatching(/expired/) });
      expect((await server.request('/api/auth/me', asBearer(forever.token))).status).toBe(200);
    });

    it.each([
      ['in the past', new Date(Date.now() - 1000).toISOString()],
      ['not a time', 'tomorrow'],
      ['more than ten years away', new Date(Date.now() + 11 * 366 * 24 * 3600 * 1000).toISOString()],
      ['a number', 1_900_000_000_000],
    ])('refuses an expiry %s with 400 at /expiresAt, creating nothing', async (_name, expiresAt) => {
      const { response, body } = await createToken({ name: 'bad', expiresAt });
      expect(response.status).toBe(400);
      expect(body.errors).toEqual([{ pointer: '/expiresAt', detail: expect.any(String) }]);
      expect((await json(await user.send('/api/auth/tokens'))).items).toEqual([]);
    });
  });
});
