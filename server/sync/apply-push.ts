/** The mutations of one push, applied in order against a client's lastSeq: duplicates, gaps, results. */
import type { MutationResult, PushRequest, TableName } from '../../protocol/index.ts';
import { fail } from '../problem.ts';
import { applyMutation } from './apply-mutation.ts';
import { duplicateResult, toMutationResult } from './push-results.ts';
import type { RecordAccess } from './record-access.ts';
import { toEnvelope } from './stored-record.ts';

/**
 * Applies `request.mutations` after `lastSeq` through `access` (inside the caller's
 * transaction). Throws 409 `seq-gap` on a gap: the caller's transaction must roll back.
 */
export function applyPush(
  access: RecordAccess,
  userId: string,
  request: PushRequest,
  lastSeq: number,
): { results: MutationResult[]; lastSeq: number } {
  let applied = lastSeq;
  const results = request.mutations.map((mutation, index): MutationResult => {
    if (mutation.seq <= applied) {
      const current = access.getRecord(mutation.table as TableName, mutation.recordId);
      return duplicateResult(mutation, current?.ownerId === userId ? toEnvelope(current) : undefined);
    }
    if (mutation.seq > applied + 1) {
      throw fail(409, 'seq-gap', `Mutation seq ${mutation.seq} skips ahead; expected ${applied + 1}.`, {
        expectedSeq: applied + 1,
      });
    }
    const outcome = applyMutation(access, mutation, {
      userId,
      writer: request.clientId,
      pointer: `/mutations/${index}`,
    });
    applied = mutation.seq;
    return toMutationResult(mutation, outcome, access.now());
  });
  return { results, lastSeq: applied };
}
