/** The server's own writes to a record (link previews): a new version through the change feed, by `SERVER_WRITER`. */

import { jsonEqual } from '../../protocol/index.ts';
import { nextVersion } from './apply-mutation.ts';
import type { RecordAccess } from './record-access.ts';
import { SERVER_WRITER, type StoredRecord } from './stored-record.ts';

/**
 * Writes `changes` to `existing` as the server: no authorization (the caller decided), no
 * conflicts (a person's later edit of these fields wins, see `applyMutation`). Fields whose
 * value is already that are left alone; null when nothing changes, so no version is spent.
 */
export function applyServerWrite(
  access: RecordAccess,
  existing: StoredRecord,
  changes: Record<string, unknown>,
): StoredRecord | null {
  const wanted = Object.fromEntries(
    Object.entries(changes).filter(([field, value]) => !jsonEqual(existing.fields[field], value)),
  );
  // A record deleted for good takes nothing more, not even a late preview.
  if (Object.keys(wanted).length === 0 || existing.purged) return null;
  const record = nextVersion(access, existing, wanted, SERVER_WRITER, existing.deleted);
  access.saveRecord(record, false);
  return record;
}
