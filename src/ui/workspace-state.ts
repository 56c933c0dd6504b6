/** The workspaces and which one is current (remembered on this device), creating a first one. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { BurrowClient } from '../api/client.ts';
import type { RecordView } from '../store/types.ts';

const CURRENT_KEY = 'burrow.workspaceId';
const FIRST_WORKSPACE_NAME = 'My burrow';

/**
 * Lists workspaces, creating "My burrow" when there is none. A Web Lock makes sure two tabs
 * opened at once create only one.
 */
async function loadWorkspaces(client: BurrowClient): Promise<RecordView[]> {
  const live = async () => (await client.workspaces()).filter((workspace) => !workspace.deleted);
  const existing = await live();
  if (existing.length > 0) return existing;
  const create = async () => {
    const again = await live();
    if (again.length > 0) return again;
    return [await client.create('workspaces', { name: FIRST_WORKSPACE_NAME })];
  };
  return navigator.locks ? navigator.locks.request('burrow-first-workspace', create) : create();
}

export interface WorkspaceState {
  workspaces: RecordView[] | null;
  current: RecordView | null;
  switchTo: (id: string) => void;
  reload: () => void;
}

export function useWorkspaces(client: BurrowClient, ready: boolean): WorkspaceState {
  const [workspaces, setWorkspaces] = useState<RecordView[] | null>(null);
  const [currentId, setCurrentId] = useState(() => localStorage.getItem(CURRENT_KEY));
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  useEffect(() => {
    if (!ready) return;
    let active = true;
    const load = () =>
      loadWorkspaces(client).then((list) => {
        if (active) setWorkspaces(list);
      });
    void load();
    const unsubscribe = client.subscribe((notice) => {
      if (notice.records.some((record) => record.table === 'workspaces')) void load();
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, [client, ready, generation]);
  const switchTo = useCallback((id: string) => {
    localStorage.setItem(CURRENT_KEY, id);
    setCurrentId(id);
  }, []);
  const current = workspaces?.find((workspace) => workspace.id === currentId) ?? workspaces?.[0] ?? null;
  return { workspaces, current, switchTo, reload };
}
