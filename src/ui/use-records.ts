/** Live queries over the client: records of a table, sync status and presence, kept current. */
import { useEffect, useState } from 'preact/hooks';
import type { TableName } from '../../protocol/index.ts';
import type { BurrowClient, Presence, SyncStatus } from '../api/client.ts';
import type { RecordView } from '../store/types.ts';
import { useApp } from './app-context.ts';

/**
 * The records of `table` in the current workspace, re-read whenever a change to that table is
 * announced (this tab, another tab, or a pull). null until the first read.
 */
export function useRecords(table: TableName, options: { includeDeleted?: boolean } = {}): RecordView[] | null {
  const { client, workspaceId } = useApp();
  const includeDeleted = options.includeDeleted ?? false;
  const [records, setRecords] = useState<RecordView[] | null>(null);
  useEffect(() => {
    let generation = 0;
    let active = true;
    const load = () => {
      const mine = ++generation;
      client.list(table, { workspaceId, includeDeleted }).then(
        (result) => {
          // Only the latest read wins: an earlier, slower one must not overwrite it.
          if (active && mine === generation) setRecords(result);
        },
        () => {
          if (active && mine === generation) setRecords([]);
        },
      );
    };
    load();
    const unsubscribe = client.subscribe((notice) => {
      if (notice.records.length === 0 || notice.records.some((record) => record.table === table)) load();
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, [client, table, workspaceId, includeDeleted]);
  return records;
}

/** The live sync status. */
export function useSyncStatus(client: BurrowClient): SyncStatus {
  const [status, setStatus] = useState(() => client.status());
  useEffect(() => {
    setStatus(client.status());
    return client.onStatus(setStatus);
  }, [client]);
  return status;
}

/** How many tabs are open and what they edit. */
export function usePresence(client: BurrowClient): Presence {
  const [presence, setPresence] = useState<Presence>({ tabs: 1, editing: [] });
  useEffect(() => client.onPresence(setPresence), [client]);
  return presence;
}
