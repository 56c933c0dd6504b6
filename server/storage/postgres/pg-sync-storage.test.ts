/** The PostgreSQL write transaction: what one that fails in its writes leaves behind. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../protocol/index.ts';
import type { WriteIntent } from '../../sync/sync-ports.ts';
import { createTestDatabase, dropTestDatabase } from '../../test-support/pg-database.ts';
import { connect, type Sql } from './connect.ts';
import { PgSyncStorage } from './pg-sync-storage.ts';

let url: string;
let sql: Sql;
let storage: PgSyncStorage;

beforeAll(async () => {
  url = await createTestDatabase();
  // One connection: the write after a failed one runs on the connection the failed one used.
  sql = connect(url, { max: 1 });
  storage = new PgSyncStorage(sql, {
    now: Date.now,
    quotaBytes: 0,
    groupCommit: true,
    origin: 'test',
    notifies: () => false,
    notify: () => undefined,
  });
});

afterAll(async () => {
  await sql?.end();
  if (url) await dropTestDatabase(url);
});

/** A write that inserts a user with `email`. */
function insertUser(email: string) {
  const id = newId();
  const intent: WriteIntent = { userId: id, email: 'unused@example.com', records: [] };
  return storage.write(intent, (ports) => ports.users.insert({ id, email, passwordHash: 'h' }));
}

describe('a write transaction', () => {
  it('that PostgreSQL refuses in its writes is rolled back whole, and its connection serves the next', async () => {
    const backend = () => sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`.then(([row]) => row.pid);
    const before = await backend();
    // PostgreSQL text cannot hold U+0000: the INSERT fails in the round trip that ends in COMMIT.
    await expect(insertUser('nul\u0000@example.com')).rejects.toMatchObject({ code: '22021' });
    await expect(insertUser('after@example.com')).resolves.toBeUndefined();
    // Rolled back, not dropped: the driver closes a connection handed back inside a transaction.
    expect(await backend()).toBe(before);

    const emails = await sql<{ email: string }[]>`SELECT email FROM users ORDER BY email`;
    expect(emails.map((row) => row.email)).toEqual(['after@example.com']);
  });
});
