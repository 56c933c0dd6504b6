/**
 * Event streams over real HTTP on loopback: a cap per user (the oldest closed first), and the
 * streams of a session or a token closed when it is signed out or revoked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../protocol/index.ts';
import {
  type ListeningServer,
  type OpenStream,
  openStream,
  send,
  signUpOver,
  startListeningServer,
} from '../test-support/listening-server.ts';

let server: ListeningServer;
const open: OpenStream[] = [];

afterEach(async () => {
  for (const stream of open.splice(0)) stream.close();
  await server.stop();
});

async function streamOf(headers: Record<string, string>): Promise<OpenStream> {
  const stream = await openStream(server, headers);
  open.push(stream);
  return stream;
}

/** Creates a card as the cookie's user and returns the cursor after it. */
async function pushCard(cookie: string, workspaceId: string): Promise<number> {
  const response = await send(server, '/api/sync/push', {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', 'idempotency-key': newId() },
    body: JSON.stringify({
      protocol: 1,
      clientId: newId(),
      mutations: [
        {
          seq: 1,
          id: newId(),
          table: 'cards',
          op: 'create',
          recordId: newId(),
          workspaceId,
          baseVersion: 0,
          fields: { kind: 'note', title: 'x', content: '', tags: [], collectionIds: [], pinned: false },
          clientTime: new Date().toISOString(),
        },
      ],
    }),
  });
  expect(response.status).toBe(200);
  return (JSON.parse(response.text) as { cursor: number }).cursor;
}

async function workspaceOf(cookie: string): Promise<string> {
  const me = await send(server, '/api/auth/me', { headers: { cookie } });
  return (JSON.parse(me.text) as { workspaces: { id: string }[] }).workspaces[0].id;
}

async function createToken(cookie: string): Promise<{ id: string; token: string }> {
  const response = await send(server, '/api/auth/tokens', {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'script' }),
  });
  expect(response.status).toBe(201);
  return JSON.parse(response.text) as { id: string; token: string };
}

describe('event streams per user', () => {
  it('closes the oldest stream when a user opens one past BURROW_MAX_STREAMS_PER_USER', async () => {
    server = await startListeningServer({ BURROW_MAX_STREAMS_PER_USER: '3', BURROW_POKE_INTERVAL_MS: '0' });
    const { cookie } = await signUpOver(server, 'many@example.test');
    const streams = [];
    for (let i = 0; i < 3; i++) streams.push(await streamOf({ cookie }));
    const fourth = await streamOf({ cookie });

    await streams[0].ended;
    const cursor = await pushCard(cookie, await workspaceOf(cookie));
    for (const stream of [streams[1], streams[2], fourth]) await stream.waitFor(new RegExp(`"cursor":${cursor}\\}`));
    expect(streams[0].received()).not.toContain(`"cursor":${cursor}}`);
  });

  it("counts each user's streams apart", async () => {
    server = await startListeningServer({ BURROW_MAX_STREAMS_PER_USER: '1', BURROW_POKE_INTERVAL_MS: '0' });
    const first = await signUpOver(server, 'first@example.test');
    const second = await signUpOver(server, 'second@example.test');
    const firstStream = await streamOf({ cookie: first.cookie });
    await streamOf({ cookie: second.cookie });
    const cursor = await pushCard(first.cookie, await workspaceOf(first.cookie));
    await firstStream.waitFor(new RegExp(`"cursor":${cursor}\\}`));
  });
});

describe('closing streams with their credential', () => {
  it("ends a session's streams when it signs out, and no other session's", async () => {
    server = await startListeningServer({ BURROW_POKE_INTERVAL_MS: '0' });
    const { cookie } = await signUpOver(server, 'leaving@example.test');
    const login = await send(server, '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'leaving@example.test', password: 'correct horse battery' }),
    });
    const otherCookie = String(login.headers['set-cookie']?.[0]).split(';')[0];
    const leaving = await streamOf({ cookie });
    const staying = await streamOf({ cookie: otherCookie });

    expect((await send(server, '/api/auth/logout', { method: 'POST', headers: { cookie } })).status).toBe(204);
    await leaving.ended;
    const cursor = await pushCard(otherCookie, await workspaceOf(otherCookie));
    await staying.waitFor(new RegExp(`"cursor":${cursor}\\}`));
  });

  it("ends a token's streams when it is revoked, and no other token's", async () => {
    server = await startListeningServer({ BURROW_POKE_INTERVAL_MS: '0' });
    const { cookie } = await signUpOver(server, 'tokens@example.test');
    const revoked = await createToken(cookie);
    const kept = await createToken(cookie);
    const revokedStream = await streamOf({ authorization: `Bearer ${revoked.token}` });
    const keptStream = await streamOf({ authorization: `Bearer ${kept.token}` });
    const sessionStream = await streamOf({ cookie });

    const deleted = await send(server, `/api/auth/tokens/${revoked.id}`, { method: 'DELETE', headers: { cookie } });
    expect(deleted.status).toBe(204);
    await revokedStream.ended;
    const cursor = await pushCard(cookie, await workspaceOf(cookie));
    await keptStream.waitFor(new RegExp(`"cursor":${cursor}\\}`));
    await sessionStream.waitFor(new RegExp(`"cursor":${cursor}\\}`));
  });
});
