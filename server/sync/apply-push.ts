/** The mutations of one push, applied in order against a client's lastSeq: duplicates, gaps, results. */
import { LIMITS, type MutationResult, originalOutcome, type PushRequest } from '../../protocol/index.ts';
import { fail } from '../problem.ts';
import { applyMutation } from './apply-mutation.ts';
import type { OutcomeLog } from './outcome-log.ts';
import { duplicateResult, stampOf, toMutationResult } from './push-results.ts';
import type { RecordAccess } from './record-access.ts';

/**
 * A push's cost is bounded by the stored data its mutations touch, not only by its own size: a
 * thousand small updates of a thousand large notes would hold the database for seconds.
 */
function tooMuchStoredData() {
  return fail(
    413,
    'too-large',
    `This push touches more than ${LIMITS.pushStoredBytes} bytes of stored records; send fewer mutations at once.`,
  );
}

/**
 * Applies `request.mutations` after `lastSeq` through `access` (inside the caller's
 * transaction), keeping every answer that is not `applied` in `outcomes` so a later
 * `duplicate` can carry it. Throws 409 `seq-gap` on a gap, 413 `too-large` when the mutations
 * touch more than `LIMITS.pushStoredBytes` of stored records: the caller's transaction must roll back.
 */
export function applyPush(
  access: RecordAccess,
  outcomes: OutcomeLog,
  userId: string,
  request: PushRequest,
  lastSeq: number,
): { results: MutationResult[]; lastSeq: number } {
  const { clientId } = request;
  let applied = lastSeq;
  const results = request.mutations.map((mutation, index): MutationResult => {
    if (mutation.seq <= applied) {
      // Its stamp only: a thousand duplicates of one large note cost a thousand small reads.
      const current = access.getStamp(mutation.table, mutation.recordId);
      const readable = current?.ownerId === userId ? stampOf(current) : undefined;
      return duplicateResult(mutation, readable, outcomes.find(clientId, mutation.seq, mutation.id));
    }
    if (mutation.seq > applied + 1) {
      throw fail(409, 'seq-gap', `Mutation seq ${mutation.seq} skips ahead; expected ${applied + 1}.`, {
        expectedSeq: applied + 1,
      });
    }
    const outcome = applyMutation(access, mutation, { userId, writer: clientId, pointer: `/mutations/${index}` });
    if (access.touchedBytes > LIMITS.pushStoredBytes) throw tooMuchStoredData();
    applied = mutation.seq;
    const result = toMutationResult(mutation, outcome, access.now());
    const original = originalOutcome(result);
    if (original) outcomes.remember(clientId, mutation.seq, mutation.id, original);
    return result;
  });
  return { results, lastSeq: applied };
}
