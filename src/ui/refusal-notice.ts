/** The notice when the server refuses a change for good: what, why, and that the person's copy is kept. */
import { useEffect, useRef } from 'preact/hooks';
import type { BurrowClient } from '../api/client.ts';
import { describeMutation, recordName } from './describe-mutation.ts';
import { useSyncSelection } from './live/use-records.ts';
import { describeProblem } from './sync-words.ts';

/**
 * Raises "Couldn't save “Title”: reason. Your copy is kept." each time the count of refused
 * changes grows; those already there when the app opened are the sync panel's to show.
 */
export function useRefusalNotice(client: BurrowClient, raise: (message: string) => void): void {
  const failed = useSyncSelection(client, (status) => status.failed);
  const known = useRef<Set<string> | null>(null);
  useEffect(() => {
    let active = true;
    void client.ready
      .then(() => client.failed())
      .then((entries) => {
        if (!active) return;
        const first = known.current === null;
        const fresh = entries.filter((entry) => !known.current?.has(entry.id));
        known.current = new Set(entries.map((entry) => entry.id));
        const newest = fresh.sort((a, b) => (a.at < b.at ? 1 : -1))[0];
        if (first || !newest) return;
        const name = recordName(newest.fields);
        const what = name ? `“${name.slice(0, 60)}”` : describeMutation(newest.op, newest.table).toLowerCase();
        const why = describeProblem(newest.error).replace(/\.$/, '');
        const more = fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : '';
        raise(`Couldn't save ${what}${more}: ${why}. Your copy is kept.`);
      });
    return () => {
      active = false;
    };
  }, [client, failed]);
}
