/** The person's answers to conflicts and failures: resolve, retry, discard (each one transaction). */
import { commitInTransaction } from './commit.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { theirRecord } from './queries.ts';
import { RecordRefSet, refreshRecord } from './record-state.ts';
import { inWriteTransaction, type LocalDatabase, STORES } from './schema.ts';
import type { Change, ConflictResolution, FailedEntry, RecordRef, StoredConflict } from './types.ts';

/**
 * Resolves a conflict. The overlay is dropped (the record shows the server copy plus what is
 * pending); "mine" and "merged" then commit a new mutation on top of the current server version.
 * - field-conflict, exists: an update with my (or the merged) values.
 * - deleted: mine → a restore with my fields; theirs → the deletion stands.
 * - duplicate-url: theirs → my local duplicate goes away; mine or merged → my values are applied
 *   to the existing card as an update, and my duplicate goes away.
 */
export function resolveConflict(
  db: LocalDatabase,
  conflictId: string,
  resolution: ConflictResolution,
): Promise<RecordRef[]> {
  return inWriteTransaction(db, async (tx) => {
    const conflicts = tx.objectStore(STORES.conflicts);
    const conflict = await conflicts.get(conflictId);
    if (!conflict) throw new NotFoundError('conflict', conflictId);
    await conflicts.delete(conflictId);
    const refs = new RecordRefSet();
    refs.add(conflict.table, conflict.recordId);
    const record = await refreshRecord(tx, conflict.table, conflict.recordId);
    const change = resolutionChange(conflict, resolution);
    if (change && record?.purged && change.id === conflict.recordId) {
      // Nothing can bring back a record deleted for good; the conflict stays for the person to copy from.
      throw new ValidationError(
        [{ pointer: '', detail: 'was deleted for good on another device' }],
        'It was deleted for good on another device: copy what you need, then use theirs.',
      );
    }
    if (change) {
      await commitInTransaction(tx, change);
      refs.add(change.table, change.id);
    }
    return refs.toArray();
  });
}

/** A change to an existing record (what a resolution commits). */
type EditChange = Exclude<Change, { op: 'create' }>;

/** The values the person chose, or null to take the server's side. */
function chosenFields(conflict: StoredConflict, resolution: ConflictResolution): Record<string, unknown> | null {
  if ('merged' in resolution) return resolution.merged;
  if (resolution.keep === 'theirs') return null;
  if (conflict.code !== 'field-conflict') return conflict.mine;
  return Object.fromEntries(
    conflict.conflicts.map(({ field, client }) => [
      field,
      Object.hasOwn(conflict.mine, field) ? conflict.mine[field] : client,
    ]),
  );
}

function resolutionChange(conflict: StoredConflict, resolution: ConflictResolution): EditChange | null {
  const fields = chosenFields(conflict, resolution);
  if (fields === null) return null;
  switch (conflict.code) {
    case 'field-conflict':
    case 'exists':
      return { op: 'update', table: conflict.table, id: conflict.recordId, fields };
    case 'deleted':
      return { op: 'restore', table: conflict.table, id: conflict.recordId, fields };
    case 'duplicate-url': {
      const existing = theirRecord(conflict);
      return existing.id === conflict.recordId
        ? null
        : { op: 'update', table: existing.table, id: existing.id, fields };
    }
  }
}

/**
 * Commits a failed mutation again, with the person's corrections, as a new outbox entry. The
 * failure is removed only when that commit succeeds.
 */
export function retryFailed(db: LocalDatabase, failedId: string, corrections: Record<string, unknown> = {}) {
  return inWriteTransaction(db, async (tx): Promise<RecordRef[]> => {
    const failedStore = tx.objectStore(STORES.failed);
    const failed = await failedStore.get(failedId);
    if (!failed) throw new NotFoundError('failed mutation', failedId);
    await commitInTransaction(tx, retryChange(failed, { ...failed.fields, ...corrections }));
    await failedStore.delete(failedId);
    return [{ table: failed.table, id: failed.recordId }];
  });
}

function retryChange(failed: FailedEntry, fields: Record<string, unknown>): Change {
  const { table, recordId: id } = failed;
  switch (failed.op) {
    case 'create':
      return { op: 'create', table, id, workspaceId: failed.workspaceId, fields };
    case 'update':
      return { op: 'update', table, id, fields };
    case 'delete':
      return { op: 'delete', table, id };
    case 'restore':
      return { op: 'restore', table, id, fields };
    case 'purge':
      return { op: 'purge', table, id };
  }
}

/** Drops a failed mutation; its record already shows the server copy plus what is pending. */
export function discardFailed(db: LocalDatabase, failedId: string): Promise<RecordRef[]> {
  return inWriteTransaction(db, async (tx) => {
    const failedStore = tx.objectStore(STORES.failed);
    const failed = await failedStore.get(failedId);
    if (!failed) throw new NotFoundError('failed mutation', failedId);
    await failedStore.delete(failedId);
    return [{ table: failed.table, id: failed.recordId }];
  });
}
