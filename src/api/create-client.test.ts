import { describe, expect, it, vi } from 'vitest';
import type { AccountDirectory, AccountUser } from '../store/account-directory.ts';
import type { SyncChannel } from '../sync/broadcast.ts';
import { FakeSyncServer } from '../sync/fake-sync-server.test-helper.ts';
import { MemoryStore } from '../sync/testing/memory-store.ts';
import type { ChangeNotice } from './client.ts';
import { createClientWith } from './create-client.ts';

const USER: AccountUser = { id: '01900000-0000-7000-8000-0000000000aa', email: 'ada@example.com' };

/** An account directory over in-memory stores; claiming hands the anonymous store to the user. */
function memoryDirectory() {
  const databases = new Map<string, MemoryStore>([['anonymous', new MemoryStore('anonymous')]]);
  const state = { active: null as AccountUser | null, claims: [] as string[] };
  const open = async (name: string) => {
    if (!databases.has(name)) databases.set(name, new MemoryStore(name));
    return databases.get(name)!;
  };
  const directory: AccountDirectory = {
    activeAccount: async () => state.active,
    activateAccount: async (user) => {
      state.active = user;
    },
    claimLocalData: async (userId) => {
      state.claims.push(userId);
      const name = `user-${userId}`;
      if (databases.has(name)) return 0;
      databases.set(name, databases.get('anonymous')!);
      databases.set('anonymous', new MemoryStore('anonymous'));
      return 1;
    },
    localDatabaseName: (userId) => (userId === null ? 'anonymous' : `user-${userId}`),
    openLocalStore: open,
    openSyncStore: open,
  };
  return { directory, databases, state };
}

function setup() {
  const server = new FakeSyncServer();
  const { directory, databases, state } = memoryDirectory();
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
    timers: { setTimeout: () => 0, clearTimeout: () => {} },
    events: false,
  });
  const notices: ChangeNotice[] = [];
  client.subscribe((notice) => notices.push(notice));
  return { client, server, databases, state, notices, posted };
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
    it('forgets a deleted record in the store, tells the views and the tabs, and sends nothing', async () => {
      const { client, databases, notices, posted } = setup();
      await client.ready;
      const todo = await client.create('todos', { text: 'gone for good', done: false, position: 1 });
      await client.remove('todos', todo.id);
      const purge = vi.spyOn(databases.get('anonymous')!, 'purge');
      const outboxBefore = await client.pendingMutations();
      notices.length = 0;
      posted.length = 0;

      await client.purge('todos', todo.id);

      const records = [{ table: 'todos', id: todo.id }];
      expect(purge).toHaveBeenCalledWith('todos', todo.id);
      expect(notices).toEqual([{ kind: 'committed', records }]);
      // Status broadcasts (each commit refreshes the status) are not what this is about.
      const changes = posted.filter((message) => message.type === 'changed');
      expect(changes).toEqual([{ type: 'changed', database: 'anonymous', records }]);
      expect(await client.pendingMutations()).toEqual(outboxBefore);
    });
  });

  describe('signing up', () => {
    it('claims the anonymous data, activates the account, and pushes the outbox', async () => {
      const { client, server, state } = setup();
      await client.ready;
      await client.create('todos', { text: 'before sign-up', done: false, position: 1 });
      const account = await client.signUp(USER.email, 'correct horse');
      expect(account).toEqual({ user: USER });
      expect(state).toMatchObject({ active: USER, claims: [USER.id] });
      const status = await client.flush();
      expect(server.appliedMutationIds).toHaveLength(2);
      expect(status).toMatchObject({ pending: 0 });
      expect(['synced', 'syncing']).toContain(status.state);
    });
  });

  describe('signing out', () => {
    it('switches to the anonymous database and keeps the account data', async () => {
      const { client, databases } = setup();
      await client.ready;
      await client.signIn(USER.email, 'correct horse');
      await client.create('todos', { text: 'mine', done: false, position: 1 });
      await client.signOut();
      expect(client.account()).toBeNull();
      expect(await client.list('todos')).toEqual([]);
      expect(databases.get(`user-${USER.id}`)?.records.size).toBeGreaterThan(0);
      expect(client.status().state).toBe('local-only');
    });
  });
});
