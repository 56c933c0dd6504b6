/** The workspaces, which one is current (remembered on this device), and the first one, made on demand. */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { TableName } from '../../../protocol/index.ts';
import { newId } from '../../../protocol/index.ts';
import type { BurrowClient, RecordView } from '../../api/client.ts';

/** Where this device remembers the current workspace (the console's import and export use it too). */
export const CURRENT_WORKSPACE_KEY = 'burrow.workspaceId';
/** What the placeholder is called; the client names the workspace it stores the same. */
export const FIRST_WORKSPACE_NAME = 'Personal';

async function liveWorkspaces(client: BurrowClient): Promise<RecordView[]> {
  const all = await client.workspaces();
  // Oldest first (ids are UUIDv7): a person's first workspace is usually their main one.
  return all.filter((workspace) => !workspace.deleted).sort((a, b) => a.id.localeCompare(b.id));
}

export interface WorkspaceState {
  workspaces: RecordView[] | null;
  /** The current workspace; before anything is saved it is a placeholder not yet stored. */
  current: RecordView | null;
  switchTo: (id: string) => void;
  reload: () => void;
  /** The client to hand the views: its `create` stores the placeholder workspace first. */
  client: BurrowClient;
}

/**
 * Lists workspaces. A new device has none: rather than storing an empty workspace on every
 * device (each would show up in the account after sign-in), the app shows a placeholder, and
 * the first thing saved into it goes to the client's default workspace (stored on demand).
 */
export function useWorkspaces(client: BurrowClient, ready: boolean): WorkspaceState {
  const [workspaces, setWorkspaces] = useState<RecordView[] | null>(null);
  const [currentId, setCurrentId] = useState(() => localStorage.getItem(CURRENT_WORKSPACE_KEY));
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const [placeholderId] = useState(() => newId());

  useEffect(() => {
    if (!ready) return;
    let active = true;
    const load = () =>
      liveWorkspaces(client).then((list) => {
        if (active) setWorkspaces(list);
      });
    void load();
    const unsubscribe = client.subscribe((notice) => {
      if (notice.kind === 'reset' || notice.records.some((record) => record.table === 'workspaces')) void load();
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, [client, ready, generation]);

  const switchTo = useCallback((id: string) => {
    localStorage.setItem(CURRENT_WORKSPACE_KEY, id);
    setCurrentId(id);
  }, []);

  const placeholder: RecordView = useMemo(
    () => ({
      id: placeholderId,
      table: 'workspaces',
      workspaceId: placeholderId,
      version: 0,
      deleted: false,
      fields: { name: FIRST_WORKSPACE_NAME },
      pending: false,
      conflict: false,
    }),
    [placeholderId],
  );

  const wrapped = useMemo(
    () =>
      withFirstWorkspace(client, placeholderId, async (table, fields, id) => {
        // The client stores a first workspace (or picks the account's) when none is given.
        const record = await client.create(table, fields, { id });
        switchTo(record.workspaceId);
        return record;
      }),
    [client, placeholderId, switchTo],
  );

  const current =
    workspaces?.find((workspace) => workspace.id === currentId) ??
    workspaces?.[0] ??
    (workspaces && workspaces.length === 0 ? placeholder : null);
  return {
    workspaces: workspaces?.length ? workspaces : workspaces && [placeholder],
    current,
    switchTo,
    reload,
    client: wrapped,
  };
}

/** The client, except that a create into the placeholder workspace stores that workspace first. */
function withFirstWorkspace(
  client: BurrowClient,
  placeholderId: string,
  createInFirstWorkspace: (table: TableName, fields: Record<string, unknown>, id?: string) => Promise<RecordView>,
): BurrowClient {
  return {
    get ready() {
      return client.ready;
    },
    signUp: (email, password) => client.signUp(email, password),
    signIn: (email, password) => client.signIn(email, password),
    signOut: () => client.signOut(),
    account: () => client.account(),
    workspaces: () => client.workspaces(),
    create: async (table, fields, options) => {
      if (options?.workspaceId !== placeholderId) return client.create(table, fields, options);
      return createInFirstWorkspace(table, fields, options.id);
    },
    createAll: async (records, options) => {
      if (options?.workspaceId !== placeholderId || records.length === 0) return client.createAll(records, options);
      const [first, ...rest] = records;
      const created = await createInFirstWorkspace(first.table, first.fields);
      return [created, ...(await client.createAll(rest, { workspaceId: created.workspaceId }))];
    },
    update: (table, id, fields) => client.update(table, id, fields),
    remove: (table, id) => client.remove(table, id),
    restore: (table, id) => client.restore(table, id),
    get: (table, id) => client.get(table, id),
    getMany: (table, ids) => client.getMany(table, ids),
    list: (table, options) => client.list(table, options),
    status: () => client.status(),
    flush: () => client.flush(),
    pull: () => client.pull(),
    syncStats: () => client.syncStats(),
    onSyncStats: (listener) => client.onSyncStats(listener),
    subscribe: (listener) => client.subscribe(listener),
    onStatus: (listener) => client.onStatus(listener),
    onPresence: (listener) => client.onPresence(listener),
    setEditing: (record) => client.setEditing(record),
    pendingMutations: () => client.pendingMutations(),
    conflicts: () => client.conflicts(),
    resolveConflict: (id, resolution) => client.resolveConflict(id, resolution),
    failed: () => client.failed(),
    retryFailed: (id, fields) => client.retryFailed(id, fields),
    discardFailed: (id) => client.discardFailed(id),
    purge: (table, id) => client.purge(table, id),
  };
}
