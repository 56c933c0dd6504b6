/** Turns apply outcomes into the wire results of a push (each naming its mutation's seq and id). */
import type { Envelope, Mutation, MutationResult, OriginalOutcome } from '../../protocol/index.ts';
import type { ApplyOutcome } from './apply-mutation.ts';
import { toEnvelope } from './stored-record.ts';

/**
 * The envelope answered for the delete of an id that never existed (a no-op): a tombstone
 * that was never stored, version 0 and seq 0, so the client can drop its copy.
 */
function phantomTombstone(mutation: Mutation, now: string): Envelope {
  return {
    table: mutation.table as Envelope['table'],
    id: mutation.recordId,
    workspaceId: mutation.workspaceId,
    version: 0,
    seq: 0,
    deleted: true,
    createdAt: now,
    updatedAt: now,
    fields: {},
  };
}

export function toMutationResult(mutation: Mutation, outcome: ApplyOutcome, now: string): MutationResult {
  const { seq, id } = mutation;
  switch (outcome.status) {
    case 'applied': {
      const record = outcome.record ? toEnvelope(outcome.record) : phantomTombstone(mutation, now);
      return { seq, id, status: 'applied', record };
    }
    case 'conflict': {
      const { code, conflicts, record } = outcome;
      return { seq, id, status: 'conflict', code, ...(conflicts ? { conflicts } : {}), record: toEnvelope(record) };
    }
    case 'rejected':
      return { seq, id, status: 'rejected', error: outcome.problem };
  }
}

/**
 * The answer for a mutation the server has already executed: the record as it is now, if
 * readable, and the first answer when that was a conflict or a rejection.
 */
export function duplicateResult(
  mutation: Mutation,
  current: Envelope | undefined,
  original: OriginalOutcome | undefined,
): MutationResult {
  return {
    seq: mutation.seq,
    id: mutation.id,
    status: 'duplicate',
    ...(current ? { record: current } : {}),
    ...(original ? { original } : {}),
  };
}
