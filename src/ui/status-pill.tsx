/** The always-visible sync status; it opens the sync panel. */
import './status-pill.css';
import type { BurrowClient } from '../api/client.ts';
import { useSyncSelection, useSyncStatus } from './live/use-records.ts';
import { statusLabel, statusTone } from './sync-words.ts';

export function StatusPill({ client, onOpen }: { client: BurrowClient; onOpen: () => void }) {
  const status = useSyncStatus(client);
  const attention = [
    status.conflicts > 0 && `${status.conflicts} conflict${status.conflicts === 1 ? '' : 's'}`,
    status.failed > 0 && `${status.failed} not accepted`,
  ].filter(Boolean);
  return (
    <button
      type="button"
      class={`status-pill tone-${statusTone(status)}`}
      onClick={onOpen}
      aria-label={`Sync status: ${statusLabel(status)}${attention.length ? `, ${attention.join(', ')}` : ''}. Open sync panel`}
    >
      <span class="status-dot" aria-hidden="true" />
      <span class="status-text">{statusLabel(status)}</span>
      {attention.length > 0 && <span class="status-attention">{attention.join(' · ')}</span>}
    </button>
  );
}

/** A bar while a large account downloads; the app stays usable under it. */
export function InitialSyncBar({ client }: { client: BurrowClient }) {
  const received = useSyncSelection(client, (status) => status.initialSync?.received ?? null);
  if (received === null) return null;
  return (
    <div class="initial-sync" role="status">
      <span>Downloading your data… {received.toLocaleString()} items so far</span>
      <progress aria-label="Download progress" />
    </div>
  );
}
