/** The port a push keeps and finds the first answers to its mutations that were not applied through. */
import type { OriginalOutcome } from '../../protocol/index.ts';

/**
 * Non-applied answers by (clientId, client seq), inside the push's transaction. A resend of a
 * mutation whose answer was lost is answered `duplicate`; this is what that answer was.
 */
export interface OutcomeLog {
  /** Keeps the answer to the client's mutation `seq` (whose id is `mutationId`). */
  remember(clientId: string, seq: number, mutationId: string, outcome: OriginalOutcome): void;
  /** The answer kept for that mutation, if it was not applied and is still kept. */
  find(clientId: string, seq: number, mutationId: string): OriginalOutcome | undefined;
}
