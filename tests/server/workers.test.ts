/** `--workers N`: one port served by N processes (Node's cluster) on one PostgreSQL database. */
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../server/storage/postgres/connect.ts';
import { createTestDatabase } from '../../server/test-support/pg-database.ts';
import { ApiClient, MutationBuilder, noteCard } from '../support/api-client.ts';
import { openPokes } from '../support/burrow-cluster.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { signUpWithWorkspace } from './accounts.ts';

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
});

describe('--workers 2', () => {
  it('serves one port from two processes that share the database, and pokes across them', async () => {
    const databaseUrl = await createTestDatabase();
    server = await startServer({
      env: { DATABASE_URL: databaseUrl, BURROW_WORKERS: '2', BURROW_SCRYPT_COST: '1024' },
    });
    const admin = connect(databaseUrl, { max: 1 });
    try {
      const names = await admin<{ name: string }[]>`
        SELECT DISTINCT application_name AS name FROM pg_stat_activity WHERE application_name LIKE 'burrow-%'`;
      expect(names).toHaveLength(2);
    } finally {
      await admin.end();
    }
    const client = new ApiClient(server.url);
    const { workspaceId } = await signUpWithWorkspace(client);
    const stream = await openPokes(server.url, client.cookieHeader());
    try {
      const builder = new MutationBuilder();
      // Whichever worker each connection lands on, the stream hears every push.
      for (let i = 0; i < 4; i++) {
        const response = await client.push([builder.create('cards', workspaceId, noteCard())]);
        expect(response.status).toBe(200);
        expect(await stream.next(response.body.cursor)).toBeGreaterThanOrEqual(response.body.cursor);
      }
    } finally {
      stream.close();
    }
  });
});
