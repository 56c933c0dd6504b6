/** The one notice about changes from another device: counted, coalesced, and in the header's flow, never over the list. */
import './sync-notice.css';
import { useEffect, useState } from 'preact/hooks';
import type { BurrowClient, RecordRef } from '../api/client.ts';
import { Icon } from './icons.tsx';
import { describeArrivals } from './sync-words.ts';

/** How long the notice stays after the last change it counts. */
const NOTICE_MILLISECONDS = 6000;

/**
 * The records other devices changed since the notice appeared. Only pulled changes that another
 * device or client made count (`fromOtherDevices`): this device's own pushes, claims, restores
 * and shares never do, nor an initial sync.
 */
function useArrivals(client: BurrowClient): [RecordRef[], () => void] {
  const [arrived, setArrived] = useState<Map<string, RecordRef>>(new Map());
  useEffect(
    () =>
      client.subscribe((notice) => {
        if (notice.kind !== 'synced' || notice.source !== 'pull' || !notice.fromOtherDevices?.length) return;
        const records = notice.fromOtherDevices;
        setArrived((previous) => {
          const next = new Map(previous);
          for (const record of records) next.set(`${record.table}/${record.id}`, record);
          return next;
        });
      }),
    [client],
  );
  // Each arrival keeps the notice up a while longer; then it goes and the count starts again.
  useEffect(() => {
    if (arrived.size === 0) return;
    const timer = setTimeout(() => setArrived(new Map()), NOTICE_MILLISECONDS);
    return () => clearTimeout(timer);
  }, [arrived]);
  return [[...arrived.values()], () => setArrived(new Map())];
}

export function SyncNotice({ client }: { client: BurrowClient }) {
  const [arrived, dismiss] = useArrivals(client);
  const text = describeArrivals(arrived);
  return (
    <div class="sync-notice-slot" role="status" aria-live="polite">
      {text && (
        <p class="sync-notice">
          <span>{text}.</span>
          <button type="button" class="icon-button" aria-label="Dismiss" onClick={dismiss}>
            <Icon name="close" />
          </button>
        </p>
      )}
    </div>
  );
}
