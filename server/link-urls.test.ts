import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, type RejectedResult } from '../protocol/index.ts';
import { migrate } from './storage/sqlite/migrate.ts';
import { registerSqlFunctions } from './storage/sqlite/open-database.ts';
import { json, linkCard, signUp, startTestServer, type TestServer, type TestUser } from './test-support/test-server.ts';

let server: TestServer;
let user: TestUser;
beforeEach(async () => {
  server = startTestServer();
  user = await signUp(server);
});
afterEach(() => server.close());

const SAVED = 'https://example.com/page';
/** The same page as SAVED, written another way: upper case, default port, a fragment. */
const SAME_PAGE = 'HTTPS://Example.COM:443/page#intro';

async function pushCreate(url: string) {
  const recordId = newId();
  const response = await user.push([{ op: 'create', table: 'cards', recordId, fields: linkCard(url) }]);
  return { recordId, result: response.results[0] };
}

function rest(method: string, pathname: string, body?: unknown) {
  return user.send(pathname, { method, body, headers: { 'idempotency-key': newId() } });
}

describe('duplicate-url on normalised URLs', () => {
  describe('push', () => {
    it('answers a create of the same page written another way with duplicate-url', async () => {
      const first = await pushCreate(SAVED);
      const second = await pushCreate(SAME_PAGE);
      expect(second.result).toMatchObject({
        status: 'conflict',
        code: 'duplicate-url',
        existingId: first.recordId,
      });
    });

    it('rejects an update that moves a card onto a saved URL with 409 duplicate-url, changing nothing', async () => {
      const first = await pushCreate(SAVED);
      const other = await pushCreate('https://example.com/other');
      const response = await user.push([
        {
          op: 'update',
          table: 'cards',
          recordId: other.recordId,
          baseVersion: 1,
          fields: { url: SAME_PAGE, title: 'moved' },
        },
      ]);
      const result = response.results[0] as RejectedResult;
      expect(result.status).toBe('rejected');
      expect(result.error).toMatchObject({
        status: 409,
        code: 'duplicate-url',
        existingId: first.recordId,
        errors: [{ pointer: '/mutations/0/fields/url', detail: 'is already saved in another card' }],
      });
      const stored = await json(await user.send(`/api/cards/${other.recordId}`));
      expect(stored).toMatchObject({ version: 1, fields: { url: 'https://example.com/other', title: 'A link' } });
    });

    it('lets a card change its own URL to another form of the same page', async () => {
      const first = await pushCreate(SAVED);
      const response = await user.push([
        { op: 'update', table: 'cards', recordId: first.recordId, baseVersion: 1, fields: { url: SAME_PAGE } },
      ]);
      expect(response.results[0].status).toBe('applied');
    });

    it('rejects the restore of a deleted card whose URL was saved again meanwhile', async () => {
      const first = await pushCreate(SAVED);
      await user.push([{ op: 'delete', table: 'cards', recordId: first.recordId, baseVersion: 1 }]);
      const again = await pushCreate(SAME_PAGE);
      expect(again.result.status).toBe('applied');
      const response = await user.push([{ op: 'restore', table: 'cards', recordId: first.recordId, baseVersion: 2 }]);
      expect(response.results[0]).toMatchObject({
        status: 'rejected',
        error: { code: 'duplicate-url', existingId: again.recordId },
      });
    });

    it('rejects a note turned into a link of a saved URL', async () => {
      await pushCreate(SAVED);
      const recordId = newId();
      await user.push([
        { op: 'create', table: 'cards', recordId, fields: { ...linkCard(SAVED), kind: 'note', url: null } },
      ]);
      const response = await user.push([
        { op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { kind: 'link', url: SAME_PAGE } },
      ]);
      expect(response.results[0]).toMatchObject({ status: 'rejected', error: { code: 'duplicate-url' } });
    });
  });

  describe('REST', () => {
    it('answers a create of the same page written another way with 409 duplicate-url and the card', async () => {
      const first = await pushCreate(SAVED);
      const response = await rest('POST', '/api/cards', { workspaceId: user.workspaceId, fields: linkCard(SAME_PAGE) });
      expect(response.status).toBe(409);
      expect(await json(response)).toMatchObject({ code: 'duplicate-url', current: { id: first.recordId } });
    });

    it('answers a PATCH onto a saved URL with 409 duplicate-url naming the card', async () => {
      const first = await pushCreate(SAVED);
      const other = await pushCreate('https://example.com/other');
      const response = await rest('PATCH', `/api/cards/${other.recordId}`, { fields: { url: SAME_PAGE } });
      expect(response.status).toBe(409);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await json(response)).toMatchObject({
        code: 'duplicate-url',
        existingId: first.recordId,
        errors: [{ pointer: '/fields/url' }],
      });
    });
  });

  it('keeps duplicates apart across workspaces', async () => {
    const second = newId();
    await user.push([
      { op: 'create', table: 'workspaces', recordId: second, workspaceId: second, fields: { name: 'B' } },
    ]);
    await pushCreate(SAVED);
    const response = await user.push([
      { op: 'create', table: 'cards', workspaceId: second, fields: linkCard(SAME_PAGE) },
    ]);
    expect(response.results[0].status).toBe('applied');
  });
});

describe('server-owned fields', () => {
  const metadata = { status: 'ready', fetchedAt: null, canonicalUrl: null, publishedAt: null, error: null };

  it('rejects metadata in a push create or update with invalid-field', async () => {
    const created = await user.push([{ op: 'create', table: 'cards', fields: { ...linkCard(SAVED), metadata } }]);
    expect(created.results[0]).toMatchObject({
      status: 'rejected',
      error: {
        code: 'invalid-field',
        errors: [{ pointer: '/mutations/0/fields/metadata', detail: 'is written by the server only' }],
      },
    });
    const { recordId } = await pushCreate(SAVED);
    const updated = await user.push([{ op: 'update', table: 'cards', recordId, baseVersion: 1, fields: { metadata } }]);
    expect(updated.results[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid-field' } });
  });

  it('rejects metadata in a REST PATCH with 400 invalid-field', async () => {
    const { recordId } = await pushCreate(SAVED);
    const response = await rest('PATCH', `/api/cards/${recordId}`, { fields: { metadata: null } });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({
      code: 'invalid-field',
      errors: [{ pointer: '/fields/metadata', detail: 'is written by the server only' }],
    });
  });
});

describe('migration 005', () => {
  it('stores the normal form of every live link URL written before it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'burrow-migrate-'));
    try {
      const db = new Database(path.join(dir, 'old.sqlite'));
      registerSqlFunctions(db);
      migrate(db, 4);
      db.prepare("INSERT INTO users(id, email, password_hash, created_at) VALUES ('u', 'a@b', 'x', 't')").run();
      const insert = db.prepare(
        `INSERT INTO records(tbl, id, workspace_id, owner_id, version, seq, created_at, updated_at, fields,
          field_versions, field_writers, link_url) VALUES ('cards', ?, 'w', 'u', 1, ?, 't', 't', '{}', '{}', '{}', ?)`,
      );
      insert.run('a', 1, SAME_PAGE);
      insert.run('b', 2, null);
      migrate(db);
      const urls = db.prepare('SELECT id, link_url FROM records ORDER BY id').all();
      expect(urls).toEqual([
        { id: 'a', link_url: SAVED },
        { id: 'b', link_url: null },
      ]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
