/** Purge: a record deleted for good, its content erased and its row kept as a marked tombstone. */
import type { RecordAccess } from './record-access.ts';
import type { StoredRecord } from './stored-record.ts';

/**
 * `existing` deleted for good: a new version and seq like any write (so it reaches every device
 * through pull and pokes), deleted and purged, with its fields, field versions and writers gone.
 * The row stays: its owner keeps the id, the change feed carries the purge, and the age purge
 * removes it with the other tombstones. Purging a purged record changes nothing (null).
 */
export function purgedVersion(access: RecordAccess, existing: StoredRecord): StoredRecord | null {
  if (existing.purged) return null;
  return {
    ...existing,
    version: existing.version + 1,
    seq: access.nextSeq(),
    deleted: true,
    purged: true,
    updatedAt: access.now(),
    fields: {},
    fieldVersions: {},
    fieldWriters: {},
  };
}
