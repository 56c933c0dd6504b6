/** Layout, sort and filters of each card view, remembered as a `viewSettings` record. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type ViewSettingsFields, viewSettingsId } from '../../../protocol/index.ts';
import type { BurrowClient } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { useRecords } from '../live/use-records.ts';

/**
 * Creates the view's record under its name-based id (see `viewSettingsId`), so another device
 * that does the same writes the same record; one already here (not yet listed) is updated.
 */
async function createSettings(client: BurrowClient, workspaceId: string, fields: ViewSettingsFields): Promise<string> {
  const id = await viewSettingsId(workspaceId, fields.viewKey);
  if (await client.get('viewSettings', id)) await client.update('viewSettings', id, fields);
  else await client.create('viewSettings', fields, { workspaceId, id });
  return id;
}

export type ViewSettings = Omit<ViewSettingsFields, 'viewKey'>;

export const DEFAULT_VIEW_SETTINGS: ViewSettings = { layout: 'grid', sortBy: 'created', sortDir: 'desc', filters: {} };

/**
 * The settings of the view `viewKey` and a function saving a change. The change shows at once;
 * the record is written behind it (created the first time a view's settings change).
 */
export function useViewSettings(viewKey: string): [ViewSettings, (change: Partial<ViewSettings>) => void] {
  const { client, workspaceId } = useApp();
  const records = useRecords('viewSettings');
  const stored = useMemo(
    () => records?.find((record) => !record.deleted && record.fields.viewKey === viewKey) ?? null,
    [records, viewKey],
  );
  const [local, setLocal] = useState<ViewSettings | null>(null);
  // A second change made before the first create has landed must update, not create again.
  const creating = useRef<Promise<string> | null>(null);
  useEffect(() => setLocal(null), [viewKey, stored]);
  useEffect(() => {
    creating.current = null;
  }, [viewKey, workspaceId]);
  const settings: ViewSettings = local ?? { ...DEFAULT_VIEW_SETTINGS, ...(stored?.fields as Partial<ViewSettings>) };
  const save = (change: Partial<ViewSettings>) => {
    const next = { ...settings, ...change };
    setLocal(next);
    if (stored) void client.update('viewSettings', stored.id, change);
    else if (creating.current) void creating.current.then((id) => client.update('viewSettings', id, change));
    else creating.current = createSettings(client, workspaceId, { viewKey, ...next });
  };
  return [settings, save];
}
