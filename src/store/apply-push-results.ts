/** Applying a push response: acknowledged entries leave the outbox, conflicts and rejections move out. */
import type { Envelope, MutationResult, OriginalOutcome, PushResponse } from '../../protocol/index.ts';
import { readNumber, writeMeta } from './meta.ts';
import { moveToFailed } from './outbox.ts';
import { type IncomingCopy, RecordRefSet, refreshRecord } from './record-state.ts';
import { inWriteTransaction, type LocalDatabase, STORES, type WriteTransaction } from './schema.ts';
import type { ConflictEntry, OutboxBatch, OutboxEntry, RecordRef } from './types.ts';

/**
 * Applies a 200 push response in one transaction. Results are matched to the batch by wire seq
 * and mutation id; an entry already gone (another drain applied it) is skipped.
 */
export function applyPushResults(db: LocalDatabase, batch: OutboxBatch, response: PushResponse): Promise<RecordRef[]> {
  const sentBySeq = new Map(batch.mutations.map((mutation, index) => [mutation.seq, batch.entries[index]]));
  return inWriteTransaction(db, async (tx) => {
    const generation = await readNumber(tx, 'resyncGeneration');
    const refs = new RecordRefSet();
    const incoming = new Map<string, IncomingCopy>();
    for (const result of response.results) {
      const sent = sentBySeq.get(result.seq);
      const entry = sent && (await tx.objectStore(STORES.outbox).get(sent.key));
      if (!entry || entry.id !== result.id) continue;
      await settleEntry(tx, entry, result);
      refs.add(entry.table, entry.recordId);
      const record = 'record' in result ? result.record : undefined;
      if (record) {
        refs.add(record.table, record.id);
        const key = `${record.table}\u0000${record.id}`;
        const known = incoming.get(key);
        if (!known || known.envelope.version <= record.version) incoming.set(key, { envelope: record, generation });
      }
    }
    for (const ref of refs.toArray()) {
      await refreshRecord(tx, ref.table, ref.id, incoming.get(`${ref.table}\u0000${ref.id}`));
    }
    await writeMeta(tx, 'lastSyncAt', new Date().toISOString());
    return refs.toArray();
  });
}

/** What a result means for its entry: acknowledged, or the conflict or rejection it first met. */
type Answer = { status: 'applied' } | OriginalOutcome;

/**
 * The server's first answer to the mutation. A `duplicate` means the mutation was executed
 * before and that answer was lost (a dropped response, a crash); when it was a conflict or a
 * rejection the server sends it again as `original`, and it is handled exactly as if it had
 * arrived then. Without `original` it was `applied` (or too old for the server to remember).
 */
function firstAnswer(result: MutationResult): Answer {
  if (result.status === 'duplicate') return result.original ?? { status: 'applied' };
  return result;
}

/** Takes the entry out of the outbox, keeping it as a conflict or a failure when it is one. */
async function settleEntry(tx: WriteTransaction, entry: OutboxEntry, result: MutationResult): Promise<void> {
  const answer = firstAnswer(result);
  switch (answer.status) {
    case 'applied':
      await tx.objectStore(STORES.outbox).delete(entry.key);
      return;
    case 'conflict':
      await tx.objectStore(STORES.outbox).delete(entry.key);
      // A conflict's record is theirs; a duplicate's is the record as it is now (absent when unreadable).
      await tx
        .objectStore(STORES.conflicts)
        .put(conflictEntry(entry, answer, 'record' in result ? result.record : undefined));
      return;
    case 'rejected':
      await moveToFailed(tx, entry, answer.error);
      return;
  }
}

function conflictEntry(
  entry: OutboxEntry,
  conflict: Extract<Answer, { status: 'conflict' }>,
  theirs: Envelope | undefined,
): ConflictEntry {
  return {
    id: entry.id,
    table: entry.table,
    recordId: entry.recordId,
    workspaceId: entry.workspaceId,
    op: entry.op,
    code: conflict.code,
    conflicts: conflict.conflicts ?? [],
    mine: entry.fields ?? {},
    theirs: theirs ?? null,
    at: new Date().toISOString(),
  };
}
