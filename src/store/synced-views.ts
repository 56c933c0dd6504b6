/** The records a sync (push results, a pull page) raised to a newer server version, as tabs show them. */
import { toRecordView } from './queries.ts';
import type { LocalRecord, RecordView } from './types.ts';

/**
 * Views of the records whose server copy a sync moved to a newer version, as now stored. A tab
 * that knows an older version of such a record, or none (an initial sync's), may take it instead
 * of reading (see `LiveList.offer`): any later write keeps at least that version, so the version
 * orders them. Records whose version did not rise (a rejection, a purge) are left out: their ids
 * must be read.
 */
export function syncedViews(pairs: Iterable<[LocalRecord | undefined, LocalRecord | undefined]>): RecordView[] {
  const views: RecordView[] = [];
  for (const [before, after] of pairs) {
    if (!after || after.purged) continue;
    if ((after.server?.version ?? 0) > (before?.server?.version ?? 0)) views.push(toRecordView(after));
  }
  return views;
}
