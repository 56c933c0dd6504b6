import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { noteCard, signUp, startTestServer, type TestServer, type TestUser } from './test-support/test-server.ts';

let server: TestServer;
let user: TestUser;
beforeEach(async () => {
  server = startTestServer({ BURROW_POKE_INTERVAL_MS: '0' });
  user = await signUp(server);
});
afterEach(() => server.close());

/** Reads the event stream until `pattern` shows up; returns what was read. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, pattern: RegExp): Promise<string> {
  let text = '';
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
    text += new TextDecoder().decode(value);
  }
  return text;
}

describe('GET /api/sync/events', () => {
  it('streams text/event-stream and pokes at once with the current cursor', async () => {
    const response = await user.send('/api/sync/events');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.getReader();
    const cursor = await server.store.latestSeq();
    expect(await readUntil(reader, /event: poke/)).toContain(`data: {"cursor":${cursor}}`);
    await reader.cancel();
  });

  it("pokes with the new cursor after the user's push", async () => {
    const reader = (await user.send('/api/sync/events')).body!.getReader();
    await readUntil(reader, /event: poke/);
    const pushed = await user.push([{ op: 'create', table: 'cards', fields: noteCard() }]);
    expect(await readUntil(reader, /"cursor":\d+\}\n\n$/)).toContain(`data: {"cursor":${pushed.cursor}}`);
    await reader.cancel();
  });

  it("does not poke a user for another user's changes", async () => {
    const other = await signUp(server);
    const reader = (await user.send('/api/sync/events')).body!.getReader();
    const first = await readUntil(reader, /event: poke/);
    await other.push([{ op: 'create', table: 'cards', fields: noteCard() }]);
    const mine = await user.push([{ op: 'create', table: 'cards', fields: noteCard() }]);
    const next = await readUntil(reader, new RegExp(`"cursor":${mine.cursor}`));
    expect((first + next).match(/event: poke/g)).toHaveLength(2);
    await reader.cancel();
  });

  it('forgets a stream when the client disconnects, and ends every stream on shutdown', async () => {
    const first = (await user.send('/api/sync/events')).body!.getReader();
    const second = (await user.send('/api/sync/events')).body!.getReader();
    expect(server.hub.size).toBe(2);
    await first.cancel();
    expect(server.hub.size).toBe(1);
    server.hub.closeAll();
    await readUntil(second, /event: poke/);
    expect(await second.read()).toEqual({ done: true, value: undefined });
    expect(server.hub.size).toBe(0);
  });

  it("ends every stream of a user on closeUser (account changes), and no one else's", async () => {
    const other = await signUp(server);
    const mine = [
      (await user.send('/api/sync/events')).body!.getReader(),
      (await user.send('/api/sync/events')).body!.getReader(),
    ];
    const theirs = (await other.send('/api/sync/events')).body!.getReader();
    server.hub.closeUser(user.id);
    for (const reader of mine) {
      await readUntil(reader, /event: poke/);
      expect(await reader.read()).toEqual({ done: true, value: undefined });
    }
    expect(server.hub.size).toBe(1);
    await theirs.cancel();
  });

  it('requires authentication', async () => {
    expect((await server.request('/api/sync/events')).status).toBe(401);
  });
});
