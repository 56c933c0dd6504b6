/** Marks a record shows wherever it appears: not yet synced, in conflict. */
import type { RecordView } from '../api/client.ts';
import { useApp } from './app-context.ts';

/** "Not synced" and "Conflict" badges; the conflict badge opens the sync panel. */
export function RecordBadges({ record }: { record: RecordView }) {
  const { openSyncPanel, syncsToAccount } = useApp();
  return (
    <>
      {record.conflict && (
        <button type="button" class="badge badge-conflict" onClick={openSyncPanel}>
          Conflict
        </button>
      )}
      {syncsToAccount && record.pending && !record.conflict && (
        <span class="badge badge-pending" title="Saved on this device, not synced yet">
          Not synced
        </span>
      )}
    </>
  );
}
