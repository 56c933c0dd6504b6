/**
 * A record's server copy after a push result, known without the record: the result's stamp says
 * where the mutation left the record and `fromVersion` where it found it, so a copy at that
 * version plus what the mutation sent is the server's record now. Anything else is the pull's.
 */
import { jsonEqual, type MutationResult } from '../../protocol/index.ts';
import type { NewOutboxEntry, ServerCopy } from './types.ts';

export type CopyAfter =
  /** The server's record now: the previous copy plus what was sent. `seq`: the change it holds. */
  | { kind: 'derived'; copy: ServerCopy; seq: number }
  /** This store already holds the record at the result's version or a newer one. */
  | { kind: 'held'; seq: number }
  /** The server has no such record for this user (the delete of an id it never stored). */
  | { kind: 'never-stored'; updatedAt: string }
  /**
   * The record changed elsewhere too, so only a pull brings it; meanwhile the copy keeps its
   * version with what the server took of the mutation laid over it. The person goes on seeing
   * their edit, and an edit made now is still based on the version this store has really seen,
   * so it conflicts as it should with what it has not.
   */
  | { kind: 'provisional'; copy: ServerCopy }
  /** Nothing to take: the mutation changed nothing (a rejection), or nothing of it is known. */
  | { kind: 'unknown' };

const UNKNOWN: CopyAfter = { kind: 'unknown' };

/**
 * What `result` (the answer to `entry`) says of the entry's record, given the server copy this
 * store has of it (`current`, null: none). The server takes a mutation's fields that are not in
 * conflict and differ from the stored ones by its `jsonEqual`, so the same rule here gives the
 * very record it stored.
 */
export function serverCopyAfter(
  current: ServerCopy | null,
  entry: Pick<NewOutboxEntry, 'op' | 'fields'>,
  result: MutationResult,
): CopyAfter {
  if (result.status === 'rejected' || !result.stamp) return UNKNOWN;
  const { stamp } = result;
  if (stamp.version === 0) return { kind: 'never-stored', updatedAt: stamp.updatedAt };
  if (current && current.version >= stamp.version) return { kind: 'held', seq: stamp.seq };
  const conflicting = notTaken(result);
  if (conflicting === null) return UNKNOWN;
  const { version, seq, deleted, updatedAt } = stamp;
  const fromVersion = result.status === 'duplicate' ? duplicateFrom(entry, result) : result.fromVersion;
  if (fromVersion === 0) {
    // A create stores its fields as sent, nulls included (JSON drops only `undefined`).
    const fields = Object.fromEntries(Object.entries(entry.fields ?? {}).filter(([, value]) => value !== undefined));
    return { kind: 'derived', copy: { version, seq, deleted, createdAt: updatedAt, updatedAt, fields }, seq };
  }
  if (!current) return UNKNOWN;
  if (entry.op === 'purge') {
    // A purge takes no fields: it erases them all, whatever the copy held.
    const erased: ServerCopy = { ...current, deleted: true, purged: true, fields: {} };
    if (current.version !== fromVersion) return { kind: 'provisional', copy: erased };
    return { kind: 'derived', copy: { ...erased, version, seq, updatedAt }, seq };
  }
  const fields = takenFields(entry, conflicting, current.fields);
  if (current.version === fromVersion) {
    return { kind: 'derived', copy: { ...current, version, seq, deleted, updatedAt, fields }, seq };
  }
  const deletedNow = entry.op === 'delete' || (entry.op === 'update' && current.deleted);
  return { kind: 'provisional', copy: { ...current, deleted: deletedNow, fields } };
}

/**
 * Where a duplicate found its record, when that is certain: a create answered `duplicate` at
 * version 1 with no first answer kept (so it was applied) is that very create, untouched since.
 * Otherwise a duplicate does not say, and someone else may have written in between.
 */
function duplicateFrom(
  entry: Pick<NewOutboxEntry, 'op'>,
  result: Extract<MutationResult, { status: 'duplicate' }>,
): number | undefined {
  return entry.op === 'create' && !result.original && result.stamp?.version === 1 ? 0 : undefined;
}

/**
 * The fields of the mutation the server did not take, in conflict; null when it took none of it
 * (a conflict other than `field-conflict`, or a duplicate whose first answer was one or a rejection).
 */
function notTaken(result: Exclude<MutationResult, { status: 'rejected' }>): Set<string> | null {
  const answer = result.status === 'duplicate' ? result.original : result;
  if (!answer || answer.status === 'applied') return new Set();
  if (answer.status === 'rejected' || answer.code !== 'field-conflict') return null;
  return new Set(answer.conflicts?.map(({ field }) => field));
}

/**
 * `base` with the entry's fields that the server took: all but the conflicting ones and those
 * equal to what it had (a value JSON cannot carry, `undefined`, never reached it). `base` itself
 * when nothing changes.
 */
function takenFields(
  entry: Pick<NewOutboxEntry, 'fields'>,
  conflicting: Set<string>,
  base: Record<string, unknown>,
): Record<string, unknown> {
  let fields = base;
  for (const [field, value] of Object.entries(entry.fields ?? {})) {
    if (value === undefined || conflicting.has(field) || jsonEqual(base[field], value)) continue;
    if (fields === base) fields = { ...base };
    fields[field] = value;
  }
  return fields;
}
