import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AccountUser, accountDirectory } from '../store/account-directory.ts';
import { openLocalStore } from '../store/open-local-store.ts';
import type { SyncChannel } from '../sync/broadcast.ts';
import { FakeSyncServer } from '../sync/fake-sync-server.test-helper.ts';
import type { ChangeNotice } from './client.ts';
import { createClientWith } from './create-client.ts';

const USER: AccountUser = { id: '01900000-0000-7000-8000-0000000000aa', email: 'ada@example.com' };

// The client runs on the real account directory and stores, whose databases have fixed names:
// every test gets a fresh IndexedDB.
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

/** The todos stored in a database, read through a connection of the test's own. */
async function storedTodos(name: string) {
  const store = await openLocalStore(name);
  try {
    return await store.list('todos', { includeDeleted: true });
  } finally {
    store.close();
  }
}

function setup() {
  const server = new FakeSyncServer();
  const directory = accountDirectory;
  const fetcher: typeof fetch = async (input, init) => {
    const path = new URL(String(input), 'http://burrow.test').pathname;
    if (path === '/api/auth/signup' || path === '/api/auth/login') {
      return new Response(JSON.stringify({ user: USER, workspaces: [] }), {
        status: path.endsWith('signup') ? 201 : 200,
      });
    }
    if (path === '/api/auth/logout') return new Response(null, { status: 204 });
    return server.fetch(input, init);
  };
  const posted: Parameters<SyncChannel['post']>[0][] = [];
  const channel: SyncChannel = { post: (message) => posted.push(message), subscribe: () => () => {}, close: () => {} };
  const client = createClientWith({
    directory,
    fetch: fetcher,
    container: null,
    channel,
    // Real timers: a commit's drain starts at once, and waits on them to yield to the next commit.
    timers: {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as number),
    },
    events: false,
  });
  const notices: ChangeNotice[] = [];
  client.subscribe((notice) => notices.push(notice));
  return { client, server, notices, posted };
}

describe('createClient', () => {
  describe('anonymous use', () => {
    it('writes locally, creates a first workspace, and never pushes', async () => {
      const { client, server, notices } = setup();
      await client.ready;
      const card = await client.create('cards', {
        kind: 'note',
        title: 'Hi',
        content: '',
        tags: [],
        collectionIds: [],
        pinned: false,
      });
      const [workspace] = await client.workspaces();
      expect(card.workspaceId).toBe(workspace.id);
      expect(workspace.fields).toEqual({ name: 'Personal' });
      expect(notices.map((notice) => notice.kind)).toEqual(['committed', 'committed']);
      const status = await client.flush();
      expect(status).toMatchObject({ state: 'local-only', pending: 2 });
      expect(server.pushLog).toEqual([]);
      expect(client.account()).toBeNull();
    });
  });

  describe('purging', () => {
    it('purges a record never sent: gone from the store, its content from the outbox, views and tabs told', async () => {
      const { client, notices, posted } = setup();
      await client.ready;
      const todo = await client.create('todos', { text: 'gone for good', done: false, position: 1 });
      await client.remove('todos', todo.id);
      notices.length = 0;
      posted.length = 0;

      await client.purge('todos', todo.id);

      const records = [{ table: 'todos', id: todo.id }];
      expect(await client.list('todos', { includeDeleted: true })).toEqual([]);
      expect(await client.get('todos', todo.id)).toBeUndefined();
      expect(notices).toEqual([{ kind: 'committed', records }]);
      // Status broadcasts (each commit refreshes the status) are not what this is about.
      const changes = posted.filter((message) => message.type === 'changed');
      expect(changes).toEqual([{ type: 'changed', database: accountDirectory.localDatabaseName(null), records }]);
      // Its create and delete, unsent behind the workspace's create, became purges without its content.
      const pending = await client.pendingMutations();
      expect(pending.map((entry) => [entry.table, entry.op, entry.fields])).toEqual([
        ['workspaces', 'create', { name: expect.any(String) }],
        ['todos', 'purge', undefined],
        ['todos', 'purge', undefined],
      ]);
    });
  });

  describe('signing up', () => {
    it('claims the anonymous data, activates the account, and pushes the outbox', async () => {
      const { client, server } = setup();
      await client.ready;
      await client.create('todos', { text: 'before sign-up', done: false, position: 1 });
      const account = await client.signUp(USER.email, 'correct horse');
      expect(account).toEqual({ user: USER });
      expect(await accountDirectory.activeAccount()).toEqual(USER);
      expect(await storedTodos(accountDirectory.localDatabaseName(USER.id))).toHaveLength(1);
      expect(await storedTodos(accountDirectory.localDatabaseName(null))).toEqual([]);
      const status = await client.flush();
      expect(server.appliedMutationIds).toHaveLength(2);
      expect(status).toMatchObject({ pending: 0 });
      expect(['synced', 'syncing']).toContain(status.state);
    });
  });

  describe('signing out', () => {
    it('switches to the anonymous database and keeps the account data', async () => {
      const { client } = setup();
      await client.ready;
      await client.signIn(USER.email, 'correct horse');
      await client.create('todos', { text: 'mine', done: false, position: 1 });
      await client.signOut();
      expect(client.account()).toBeNull();
      expect(await client.list('todos')).toEqual([]);
      expect(await storedTodos(accountDirectory.localDatabaseName(USER.id))).toHaveLength(1);
      expect(client.status().state).toBe('local-only');
    });
  });
});
