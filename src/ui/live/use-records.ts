/** Live queries over the client: records of a table, sync status and presence, kept current. */
import { useEffect, useState } from 'preact/hooks';
import type { TableName } from '../../../protocol/index.ts';
import type { BurrowClient, Presence, RecordView, SyncStatus } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { listUpdateScheduler } from './list-update-scheduler.ts';
import { createLiveList } from './live-list.ts';

/**
 * The records of `table` in the current workspace, kept current from change notices (this tab,
 * another tab, or a pull): only the records a notice names are re-read. null until the first read,
 * and while `enabled` is false (nothing is read or kept then).
 */
export function useRecords(
  table: TableName,
  options: { includeDeleted?: boolean; enabled?: boolean } = {},
): RecordView[] | null {
  const { client, workspaceId } = useApp();
  const includeDeleted = options.includeDeleted ?? false;
  const enabled = options.enabled ?? true;
  const [records, setRecords] = useState<RecordView[] | null>(null);
  useEffect(() => {
    if (!enabled) {
      setRecords(null);
      return;
    }
    let active = true;
    const live = createLiveList({
      loadAll: () => client.list(table, { workspaceId, includeDeleted }),
      loadSome: (ids) => client.getMany(table, ids),
      keeps: (record) =>
        (workspaceId === undefined || record.workspaceId === workspaceId) && (includeDeleted || !record.deleted),
      publish: (next) => {
        if (active) setRecords(next);
      },
      schedule: listUpdateScheduler(),
    });
    live.invalidate();
    const unsubscribe = client.subscribe((notice) => {
      if (notice.kind === 'reset') return live.invalidate();
      if (notice.kind === 'committed' && notice.views) {
        const mine = notice.views.filter((record) => record.table === table);
        if (mine.length > 0) live.put(mine);
        return;
      }
      // Records a sync raised to a newer version come with the notice: only the rest are read.
      const synced = notice.kind === 'synced' ? notice.views.filter((record) => record.table === table) : [];
      if (synced.length > 0) live.offer(synced);
      const offered = new Set(synced.map((record) => record.id));
      const ids = notice.records
        .filter((record) => record.table === table && !offered.has(record.id))
        .map((record) => record.id);
      if (ids.length > 0) live.invalidate(ids);
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, [client, table, workspaceId, includeDeleted, enabled]);
  return enabled ? records : null;
}

/** Whether the browser says it is online, kept current. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    addEventListener('online', update);
    addEventListener('offline', update);
    return () => {
      removeEventListener('online', update);
      removeEventListener('offline', update);
    };
  }, []);
  return online;
}

/**
 * The live sync status. When the browser knows it is offline the status says so at once, even
 * before the engine has tried (and failed) to reach the server.
 */
export function useSyncStatus(client: BurrowClient): SyncStatus {
  const [status, setStatus] = useState(() => client.status());
  const online = useOnline();
  useEffect(() => {
    setStatus(client.status());
    return client.onStatus(setStatus);
  }, [client]);
  const syncing =
    status.state === 'synced' ||
    status.state === 'syncing' ||
    status.state === 'error' ||
    status.state === 'unreachable';
  return !online && syncing ? { ...status, state: 'offline' } : status;
}

/**
 * One value derived from the sync status, kept current: its component re-renders only when that
 * value changes, not on every pending-count change (the app shell re-rendered on every commit).
 */
export function useSyncSelection<T>(client: BurrowClient, select: (status: SyncStatus) => T): T {
  const [value, setValue] = useState(() => select(client.status()));
  useEffect(() => {
    setValue(select(client.status()));
    return client.onStatus((status) => setValue(select(status)));
  }, [client]);
  return value;
}

/** How many tabs are open and what they edit. */
export function usePresence(client: BurrowClient): Presence {
  const [presence, setPresence] = useState<Presence>({ tabs: 1, editing: [] });
  useEffect(() => client.onPresence(setPresence), [client]);
  return presence;
}
