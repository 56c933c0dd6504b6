/**
 * The per-user storage quota: a change that would grow the user's stored fields past it is
 * rejected, `413 quota-exceeded`, and applies nothing. A change that does not grow them
 * (a delete, a restore, a shorter text) always passes, so a full account can still be tidied.
 */
import type { Problem } from '../../protocol/index.ts';
import { problem } from '../problem.ts';
import type { RecordAccess } from './record-access.ts';
import type { StoredRecord } from './stored-record.ts';

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** The bytes of one `"key":value` of an object's JSON. */
function entryBytes(key: string, value: unknown): number {
  return jsonBytes(key) + 1 + jsonBytes(value);
}

/**
 * How many more bytes the JSON the store keeps of `after` takes than that of `before` (null: none),
 * exactly as `JSON.stringify` writes them, reading only the fields whose values differ by identity:
 * a changed record is its previous fields with the changes spread over them, so the others are the
 * very same values. Stringifying both whole records cost two parses' worth of work per mutation of
 * a large note.
 */
export function fieldsGrowth(before: Record<string, unknown> | null, after: Record<string, unknown>): number {
  if (!before) return jsonBytes(after);
  let growth = 0;
  for (const [key, value] of Object.entries(after)) {
    if (Object.hasOwn(before, key) && before[key] === value) continue;
    growth += entryBytes(key, value) + (Object.hasOwn(before, key) ? -entryBytes(key, before[key]) : 0);
  }
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) growth -= entryBytes(key, before[key]);
  // One comma between each two entries.
  const commas = (fields: Record<string, unknown>) => Math.max(Object.keys(fields).length - 1, 0);
  return growth + commas(after) - commas(before);
}

/** The problem when saving `after` in place of `before` would take `userId` past the quota, else null. */
export function checkQuota(
  access: RecordAccess,
  userId: string,
  before: StoredRecord | null,
  after: StoredRecord,
): Problem | null {
  const room = access.storageRoom(userId);
  if (room === Number.POSITIVE_INFINITY) return null;
  const growth = fieldsGrowth(before?.fields ?? null, after.fields);
  if (growth <= 0 || growth <= room) return null;
  const detail = `This change needs ${growth} more bytes of storage, but the account has ${Math.max(0, room)} left.`;
  return problem(413, 'quota-exceeded', detail);
}
