import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../sqlite-store.ts';

const NFC = 'caf\u00e9@example.com';
const NFD = 'cafe\u0301@example.com';

describe('emails stored before normalisation', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'burrow-emails-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are brought to NFC when the database opens, so their owner can still sign in', async () => {
    const file = path.join(dir, 'burrow.sqlite');
    const store = openSqliteStore(file);
    await store.createUser({ email: 'legacy@example.com', passwordHash: 'x', workspaceName: 'Personal' });
    await store.close();
    const raw = new Database(file);
    raw.prepare('UPDATE users SET email = ? WHERE email = ?').run(NFD, 'legacy@example.com');
    raw.close();
    const reopened = openSqliteStore(file);
    expect((await reopened.findCredentials(NFC))?.user.email).toBe(NFC);
    await reopened.close();
  });
});
