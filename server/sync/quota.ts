/**
 * The per-user storage quota: a change that would grow the user's stored fields past it is
 * rejected, `413 quota-exceeded`, and applies nothing. A change that does not grow them
 * (a delete, a restore, a shorter text) always passes, so a full account can still be tidied.
 */
import { problem } from '../problem.ts';
import type { ApplyOutcome } from './apply-mutation.ts';
import type { RecordAccess } from './record-access.ts';
import type { StoredRecord } from './stored-record.ts';

/** What the fields of a record cost: the bytes of the JSON the store keeps. */
function storedBytes(record: StoredRecord | null): number {
  return record ? Buffer.byteLength(JSON.stringify(record.fields)) : 0;
}

/** The refusal when saving `after` in place of `before` would take `userId` past the quota. */
export function checkQuota(
  access: RecordAccess,
  userId: string,
  before: StoredRecord | null,
  after: StoredRecord,
): ApplyOutcome | null {
  const room = access.storageRoom(userId);
  if (room === Number.POSITIVE_INFINITY) return null;
  const growth = storedBytes(after) - storedBytes(before);
  if (growth <= 0 || growth <= room) return null;
  const detail = `This change needs ${growth} more bytes of storage, but the account has ${Math.max(0, room)} left.`;
  return { status: 'rejected', problem: problem(413, 'quota-exceeded', detail) };
}
