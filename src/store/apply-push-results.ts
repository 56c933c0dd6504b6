/** Applying a push response: acknowledged entries leave the outbox, conflicts and rejections move out. */
import type { Envelope, MutationResult, OriginalOutcome, PushResponse } from '../../protocol/index.ts';
import { readNumber, writeMeta } from './meta.ts';
import { failedEntry } from './outbox.ts';
import { readCounts } from './queries.ts';
import { readStoredRecords, recordKey } from './read-records.ts';
import { RecordRefSet, type Refresh, refreshRecords } from './record-state.ts';
import { inWriteTransaction, issueAll, type LocalDatabase, STORES, type WriteTransaction } from './schema.ts';
import { type CopyAfter, serverCopyAfter } from './server-copy-after.ts';
import { syncedViews } from './synced-views.ts';
import type {
  FieldConflict,
  OutboxBatch,
  OutboxEntry,
  PushResultsOptions,
  PushStored,
  RecordRef,
  ServerCopy,
  StoredConflict,
} from './types.ts';

/**
 * Applies a 200 push response: in one transaction, or in parts of `perTransaction` entries, each
 * in its own. Results are matched to the batch by wire seq and mutation id; an entry already gone
 * (another drain applied it) is skipped. Results carry stamps, not records: a record's server
 * copy becomes its previous copy plus what was sent when the result's `fromVersion` proves that
 * copy was the server's just before (see `serverCopyAfter`); otherwise the record is left for the
 * pull, which the unmoved cursor then calls for. A commit waits behind each transaction, so each takes
 * two round trips where it can: everything it needs is read at once (its entries in one request,
 * the records they name), then everything is written at once. Only records with entries left
 * beyond the batch cost a round trip more (see `refreshRecords`).
 *
 * Parts keep a commit's wait short while the person writes: it waits for one part, not for the
 * whole batch. Each part is whole on its own (its entries leave the outbox with their records
 * refreshed); a part never applied leaves its entries to be sent again, and the server answers
 * them as duplicates. What concerns the response as a whole (the cursor, the last sync time, the
 * counts) is done with the last part.
 */
export async function applyPushResults(
  db: LocalDatabase,
  batch: OutboxBatch,
  response: PushResponse,
  { counts = false, perTransaction, pause }: PushResultsOptions = {},
): Promise<PushStored> {
  const progress: Progress = { changed: [], views: [], cursor: 0, counts: null, taken: [] };
  const parts = splitResponse(batch, response, perTransaction ?? batch.entries.length);
  for (const [index, part] of parts.entries()) {
    await pause?.();
    await inWriteTransaction(db, (tx) => storeResults(tx, part, progress, index === parts.length - 1, counts));
  }
  return progress;
}

/** What the parts stored so far, with the seqs of the changes they hold (for the last one's cursor check). */
interface Progress extends PushStored {
  taken: number[];
}

/** A run of the batch's entries with the results that answer them. */
interface Part {
  batch: OutboxBatch;
  response: PushResponse;
}

/**
 * The batch in runs of at most `size` entries, each with its results: the protocol answers in
 * the order of the request. (A result out of place matches no entry of its part and is skipped:
 * its entry stays, to be sent again.)
 */
function splitResponse(batch: OutboxBatch, response: PushResponse, size: number): Part[] {
  const parts: Part[] = [];
  for (let start = 0; start < batch.entries.length; start += size) {
    const run = <T>(items: T[]) => items.slice(start, start + size);
    const part = { ...batch, entries: run(batch.entries), mutations: run(batch.mutations) };
    parts.push({ batch: part, response: { ...response, results: run(response.results) } });
  }
  return parts;
}

/**
 * Matches the part's results to its stored entries, then settles each and refreshes its records,
 * adding what it did to `progress`. Only the last part does the response's bookkeeping: it reads
 * the cursor, moves it when the records every part took are every change since it, stores the
 * last sync time and reads the counts (when asked).
 */
async function storeResults(
  tx: WriteTransaction,
  { batch, response }: Part,
  progress: Progress,
  last: boolean,
  withCounts: boolean,
): Promise<void> {
  const sentBySeq = new Map(batch.mutations.map((mutation, index) => [mutation.seq, batch.entries[index]]));
  const [generation, cursor, stored, records] = await Promise.all([
    readNumber(tx, 'resyncGeneration'),
    last ? readNumber(tx, 'cursor') : 0,
    storedEntries(tx, batch),
    readStoredRecords(tx, ...namedRecords(batch)),
  ]);
  const refreshes = new Map<string, Refresh>();
  /** Each record's server copy as the results so far leave it (a batch may change one record twice). */
  const copies = new Map<string, ServerCopy | null>();
  const settled: Settled[] = [];
  for (const result of response.results) {
    const sent = sentBySeq.get(result.seq);
    const entry = sent && stored.get(sent.key);
    if (!entry || entry.id !== result.id) continue;
    const answer = firstAnswer(result);
    settled.push({ entry, answer });
    const key = recordKey(entry.table, entry.recordId);
    const own = refreshes.get(key) ?? { ref: { table: entry.table, id: entry.recordId }, removed: 0 };
    refreshes.set(key, own);
    // A new conflict entry is not in the stored counts: have the record's entries read.
    own.removed = answer.status === 'conflict' || own.removed === undefined ? undefined : own.removed + 1;
    const current = copies.has(key) ? (copies.get(key) ?? null) : (records.get(key)?.server ?? null);
    const after = serverCopyAfter(current, entry, result);
    if (after.kind === 'held' || after.kind === 'derived') progress.taken.push(after.seq);
    if (after.kind === 'derived' || after.kind === 'provisional' || after.kind === 'never-stored') {
      copies.set(key, after.kind === 'never-stored' ? null : after.copy);
      own.incoming = { envelope: envelopeOf(entry, after), generation };
    }
  }
  // Issued in this order, so the records' entries, and the counts, are read after the writes.
  const coversAll = last && coversEveryChange(progress.taken, cursor, response.cursor);
  const refreshed = [...refreshes.values()];
  const writes = [removeFromOutbox(tx, batch, stored, settled), issueAll(settled, (item) => keepUnapplied(tx, item))];
  const refreshing = refreshRecords(tx, refreshed, records);
  if (last) writes.push(writeMeta(tx, 'lastSyncAt', new Date().toISOString()));
  if (coversAll) writes.push(writeMeta(tx, 'cursor', response.cursor));
  const counting = last && withCounts ? readCounts(tx) : null;
  const [after, counts] = await Promise.all([refreshing, counting, ...writes]);
  const before = refreshed.map(({ ref }) => records.get(recordKey(ref.table, ref.id)));
  progress.changed.push(...refreshed.map(({ ref }) => ref));
  progress.views.push(...syncedViews(before.map((record, index) => [record, after[index]])));
  progress.cursor = coversAll ? response.cursor : cursor;
  progress.counts = counts;
}

/**
 * The records the batch names, as `readStoredRecords` takes them: the ones it created were created
 * in a row (time-ordered ids), so they are read with one range request; the rest one by one.
 */
function namedRecords(batch: OutboxBatch): [RecordRef[], RecordRef[]] {
  const created = new RecordRefSet();
  const others = new RecordRefSet();
  for (const entry of batch.entries) (entry.op === 'create' ? created : others).add(entry.table, entry.recordId);
  return [others.toArray(), created.toArray()];
}

/** The envelope a result leaves the entry's record at: a server copy, or the never-stored tombstone. */
function envelopeOf(
  entry: OutboxEntry,
  after: Extract<CopyAfter, { kind: 'derived' | 'provisional' | 'never-stored' }>,
): Envelope {
  const { table, recordId: id, workspaceId } = entry;
  if (after.kind !== 'never-stored') return { table, id, workspaceId, ...after.copy };
  const { updatedAt } = after;
  return { table, id, workspaceId, version: 0, seq: 0, deleted: true, createdAt: updatedAt, updatedAt, fields: {} };
}

/**
 * Whether the changes taken are every change after `cursor` up to the server's `after`: then
 * nobody else wrote in between, this store holds all of it, and no pull is needed to catch up.
 * (Each change has its own seq; a record changed twice in between shows only its last.)
 */
function coversEveryChange(taken: number[], cursor: number, after: number): boolean {
  if (after <= cursor) return false;
  const seqs = new Set(taken.filter((seq) => seq > cursor && seq <= after));
  return seqs.size === after - cursor;
}

interface Settled {
  entry: OutboxEntry;
  answer: Answer;
}

/**
 * The batch's entries still in the outbox (a batch is a run of consecutive keys), by key. Only
 * their keys are read: an entry once sent is never changed, so the batch's copy is the stored one.
 */
async function storedEntries(tx: WriteTransaction, batch: OutboxBatch): Promise<Map<number, OutboxEntry>> {
  const keys = new Set(await tx.objectStore(STORES.outbox).getAllKeys(batchRange(batch)));
  return new Map(batch.entries.filter((entry) => keys.has(entry.key)).map((entry) => [entry.key, entry]));
}

function batchRange(batch: OutboxBatch): IDBKeyRange {
  return IDBKeyRange.bound(batch.entries[0].key, batch.entries[batch.entries.length - 1].key);
}

/** Deletes the settled entries: with one range request when they are all the range holds. */
async function removeFromOutbox(
  tx: WriteTransaction,
  batch: OutboxBatch,
  stored: Map<number, OutboxEntry>,
  settled: Settled[],
): Promise<void> {
  const outbox = tx.objectStore(STORES.outbox);
  if (settled.length === stored.size) return outbox.delete(batchRange(batch));
  await issueAll(settled, ({ entry }) => outbox.delete(entry.key));
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

/** Keeps a mutation the server did not apply: as a conflict to resolve, or as a failure. */
async function keepUnapplied(tx: WriteTransaction, { entry, answer }: Settled): Promise<void> {
  if (answer.status === 'conflict') await tx.objectStore(STORES.conflicts).put(conflictEntry(entry, answer));
  if (answer.status === 'rejected') await tx.objectStore(STORES.failed).put(failedEntry(entry, answer.error));
}

function conflictEntry(entry: OutboxEntry, conflict: Extract<Answer, { status: 'conflict' }>): StoredConflict {
  const mine = entry.fields ?? {};
  return {
    id: entry.id,
    table: entry.table,
    recordId: entry.recordId,
    workspaceId: entry.workspaceId,
    op: entry.op,
    code: conflict.code,
    conflicts: (conflict.conflicts ?? []).map(
      (field): FieldConflict =>
        'server' in field
          ? { field: field.field, client: mine[field.field] ?? null, server: field.server }
          : { field: field.field, client: mine[field.field] ?? null, server: undefined, omitted: true },
    ),
    mine,
    ...(conflict.existingId ? { existingId: conflict.existingId } : {}),
    at: new Date().toISOString(),
  };
}
