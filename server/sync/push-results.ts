/**
 * Turns apply outcomes into the wire results of a push (each naming its mutation's seq and id).
 * A result carries stamps (versions and seqs), never records, and a conflict's server values
 * only as far as its mutation paid for them in the request: an answer never grows faster than
 * its request (`LIMITS.pushAnswerBytesPerMutation`).
 */
import {
  type ConflictingField,
  LIMITS,
  type Mutation,
  type MutationResult,
  type OriginalOutcome,
  type RecordStamp,
} from '../../protocol/index.ts';
import type { FieldConflict, MutationOutcome } from './apply-mutation.ts';
import type { StoredRecord } from './stored-record.ts';

export function stampOf(record: Pick<StoredRecord, 'version' | 'seq' | 'deleted' | 'updatedAt'>): RecordStamp {
  return { version: record.version, seq: record.seq, deleted: record.deleted, updatedAt: record.updatedAt };
}

/**
 * The stamp answered for the delete of an id that never existed (a no-op): a tombstone that was
 * never stored, version 0 and seq 0, so the client can drop its copy.
 */
function neverStored(now: string): RecordStamp {
  return { version: 0, seq: 0, deleted: true, updatedAt: now };
}

export function toMutationResult(mutation: Mutation, outcome: MutationOutcome, now: string): MutationResult {
  const { seq, id } = mutation;
  switch (outcome.status) {
    case 'applied': {
      const stamp = outcome.record ? stampOf(outcome.record) : neverStored(now);
      return { seq, id, status: 'applied', fromVersion: outcome.fromVersion, stamp };
    }
    case 'conflict': {
      const { code, record } = outcome;
      if (code === 'duplicate-url') return { seq, id, status: 'conflict', code, existingId: record.id };
      const conflicts = outcome.conflicts ? { conflicts: boundedConflicts(outcome.conflicts, mutation) } : {};
      return {
        seq,
        id,
        status: 'conflict',
        code,
        ...conflicts,
        fromVersion: outcome.fromVersion,
        stamp: stampOf(record),
      };
    }
    case 'rejected':
      return { seq, id, status: 'rejected', error: outcome.problem };
  }
}

/**
 * The answer for a mutation the server has already executed: the record's stamp as it is now,
 * if readable, and the first answer when that was a conflict or a rejection (as kept: small).
 */
export function duplicateResult(
  mutation: Mutation,
  stamp: RecordStamp | undefined,
  original: OriginalOutcome | undefined,
): MutationResult {
  return {
    seq: mutation.seq,
    id: mutation.id,
    status: 'duplicate',
    ...(stamp ? { stamp } : {}),
    ...(original ? { original } : {}),
  };
}

/**
 * The conflicts with the server's values while they fit in the bytes the mutation's own fields
 * took in the request, plus `LIMITS.conflictValuesSlackBytes`; the others `omitted`. A person
 * who sent a whole note sees the server's whole note; a one-word edit of a 400 KB note does not
 * get 400 KB back (the client pulls the record, whose server copy then holds it).
 */
function boundedConflicts(conflicts: FieldConflict[], mutation: Mutation): ConflictingField[] {
  let budget = jsonBytes(mutation.fields ?? {}) + LIMITS.conflictValuesSlackBytes;
  return conflicts.map(({ field, server }) => {
    const size = fitsIn(server, budget) ? jsonBytes(server) : Number.POSITIVE_INFINITY;
    if (size > budget) return { field, omitted: true };
    budget -= size;
    return { field, server };
  });
}

/** A cheap first look: a string longer than the budget never fits, whatever its characters. */
function fitsIn(value: unknown, budget: number): boolean {
  return typeof value !== 'string' || value.length + 2 <= budget;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null));
}
