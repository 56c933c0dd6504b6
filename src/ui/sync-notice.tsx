/**
 * The one sync notice: a change the server refused for good, else the changes from other devices
 * (counted, coalesced). In the header's flow, so it never covers the list; one at a time.
 */
import './sync-notice.css';
import { useEffect, useState } from 'preact/hooks';
import type { BurrowClient, RecordRef } from '../api/client.ts';
import { Icon } from './icons.tsx';
import { useRefusalNotice } from './refusal-notice.ts';
import { describeArrivals } from './sync-words.ts';

/** How long the notice stays after the last change it counts. */
const NOTICE_MILLISECONDS = 6000;
/** A refusal needs the person: it stays longer, and arrivals wait behind it. */
const REFUSAL_MILLISECONDS = 12_000;

/** The newest refusal's words while they show (null: none), and a way to dismiss them. */
function useRefusal(client: BurrowClient): [string | null, () => void] {
  const [refusal, setRefusal] = useState<string | null>(null);
  useRefusalNotice(client, setRefusal);
  useEffect(() => {
    if (refusal === null) return;
    const timer = setTimeout(() => setRefusal(null), REFUSAL_MILLISECONDS);
    return () => clearTimeout(timer);
  }, [refusal]);
  return [refusal, () => setRefusal(null)];
}

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

export function SyncNotice({ client, onOpenSyncPanel }: { client: BurrowClient; onOpenSyncPanel: () => void }) {
  const [arrived, dismissArrivals] = useArrivals(client);
  const [refusal, dismissRefusal] = useRefusal(client);
  const arrivals = describeArrivals(arrived);
  const text = refusal ?? (arrivals && `${arrivals}.`);
  return (
    <div class="sync-notice-slot" role="status" aria-live="polite">
      {text && (
        <p class={refusal ? 'sync-notice sync-notice-refusal' : 'sync-notice'}>
          <span>{text}</span>
          {refusal && (
            <button
              type="button"
              class="link-button"
              onClick={() => {
                dismissRefusal();
                onOpenSyncPanel();
              }}
            >
              Open sync
            </button>
          )}
          <button
            type="button"
            class="icon-button"
            aria-label="Dismiss"
            onClick={refusal ? dismissRefusal : dismissArrivals}
          >
            <Icon name="close" />
          </button>
        </p>
      )}
    </div>
  );
}
