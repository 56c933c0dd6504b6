/** Commit: a local change written atomically as the new visible record plus its outbox mutation. */
import { type FieldError, isUuid, jsonEqual, newId, type TableName, validateFields } from '../../protocol/index.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { readNumber } from './meta.ts';
import { addOutboxEntry, lastOutboxKey } from './outbox-keys.ts';
import { commitPurge } from './purge.ts';
import {
  INDEXES,
  inWriteTransaction,
  type LocalDatabase,
  notAwaited,
  STORES,
  type WriteTransaction,
} from './schema.ts';
import type { Change, LocalRecord, NewOutboxEntry, OutboxEntry } from './types.ts';

/** Test seam: runs after the record is written and before the mutation is. */
export interface CommitHooks {
  afterRecordPut?: (tx: WriteTransaction) => void;
}

/** Ops whose unsent entry can absorb a later update of the same record. */
const MERGE_TARGETS = new Set(['create', 'update', 'restore']);

/** Commits `change` in its own transaction; returns the record as now visible. */
export function commit(db: LocalDatabase, change: Change, hooks: CommitHooks = {}): Promise<LocalRecord> {
  return inWriteTransaction(db, (tx) => commitInTransaction(tx, change, hooks));
}

/**
 * Commits `changes` in one transaction, in order: all or none (a bad one throws before
 * anything is kept). One transaction for many records is what makes a large import fast.
 */
export function commitAll(db: LocalDatabase, changes: Change[]): Promise<LocalRecord[]> {
  return inWriteTransaction(db, async (tx) => {
    // Creates of new ids touch no common record: their requests are issued together (IndexedDB
    // runs them in order, so the outbox keeps the changes' order) instead of one round trip
    // after another, 500 creates in a fraction of the time.
    if (changes.every((change) => change.op === 'create')) {
      return Promise.all(changes.map((change) => commitInTransaction(tx, change)));
    }
    const records: LocalRecord[] = [];
    for (const change of changes) records.push(await commitInTransaction(tx, change));
    return records;
  });
}

/**
 * Commits `change` inside `tx`: validates it, writes the visible record and appends (or merges)
 * its mutation. Throws `ValidationError` or `NotFoundError` before writing anything.
 */
export async function commitInTransaction(
  tx: WriteTransaction,
  change: Change,
  hooks: CommitHooks = {},
): Promise<LocalRecord> {
  const now = new Date().toISOString();
  if (change.op === 'create') return commitCreate(tx, change, { now, hooks });
  if (change.op === 'purge') {
    const purged = await commitPurge(tx, change.table, change.id, now);
    if (!purged) throw new NotFoundError(change.table, change.id);
    return purged;
  }
  // An update may merge into the newest outbox entry: found with the record, in one round trip
  // (with the outbox's newest key, which an append needs).
  const mayMerge = change.op === 'update' || change.op === 'restore';
  const [record, newestUnsent] = await Promise.all([
    tx.objectStore(STORES.records).get([change.table, change.id]),
    mayMerge ? newestUnsentEntryOf(tx, change.table, change.id) : undefined,
    lastOutboxKey(tx),
  ]);
  if (!record || record.purged) throw new NotFoundError(change.table, change.id);
  const writing: Writing = { now, hooks, newestUnsent };
  switch (change.op) {
    case 'update':
      return commitUpdate(tx, record, change.fields, writing);
    case 'delete':
      return commitDelete(tx, record, writing);
    case 'restore':
      return record.deleted
        ? commitRestore(tx, record, change.fields ?? {}, writing)
        : commitUpdate(tx, record, change.fields ?? {}, writing);
  }
}

/** What every write of one commit shares. */
interface Writing {
  now: string;
  hooks: CommitHooks;
  /** The newest outbox entry when never sent: the only one an update may merge into. */
  newestUnsent?: OutboxEntry;
}

async function commitCreate(
  tx: WriteTransaction,
  change: Extract<Change, { op: 'create' }>,
  writing: Writing,
): Promise<LocalRecord> {
  const { now } = writing;
  const id = change.id ?? newId();
  const workspaceId = change.table === 'workspaces' ? id : change.workspaceId;
  const fields = definedFields(change.fields);
  throwIfInvalid([...idErrors(id, workspaceId), ...validateFields(change.table, fields, 'create')]);
  // The outbox's newest key travels with this read, so the append after it waits for nothing.
  const [existing] = await Promise.all([tx.objectStore(STORES.records).get([change.table, id]), lastOutboxKey(tx)]);
  if (existing && (existing.server || existing.pending > 0 || existing.conflicts > 0)) {
    throw new ValidationError([{ pointer: '/id', detail: 'already exists' }]);
  }
  const record: LocalRecord = {
    table: change.table,
    id,
    workspaceId,
    server: null,
    fields,
    deleted: false,
    pending: 0,
    conflicts: 0,
    localUpdatedAt: now,
    localCreatedAt: now,
  };
  return writeChange(tx, record, { op: 'create', fields }, writing);
}

async function commitUpdate(
  tx: WriteTransaction,
  record: LocalRecord,
  patch: Record<string, unknown>,
  writing: Writing,
): Promise<LocalRecord> {
  if (record.deleted) {
    throw new ValidationError([{ pointer: '', detail: 'is deleted; restore it first' }], 'Restore it first');
  }
  const fields = definedFields(patch);
  throwIfInvalid(validateFields(record.table, fields, 'patch'));
  const changed = changedFields(record.fields, fields);
  if (Object.keys(changed).length === 0) return record;
  const merged = { ...record.fields, ...changed };
  throwIfInvalid(validateFields(record.table, merged, 'create'));
  const next = { ...record, fields: merged, localUpdatedAt: writing.now };
  return writeChange(tx, next, { op: 'update', fields: changed }, writing);
}

async function commitDelete(tx: WriteTransaction, record: LocalRecord, writing: Writing) {
  if (record.deleted) return record;
  return writeChange(tx, { ...record, deleted: true, localUpdatedAt: writing.now }, { op: 'delete' }, writing);
}

async function commitRestore(
  tx: WriteTransaction,
  record: LocalRecord,
  patch: Record<string, unknown>,
  writing: Writing,
): Promise<LocalRecord> {
  const fields = definedFields(patch);
  throwIfInvalid(validateFields(record.table, fields, 'patch'));
  const merged = { ...record.fields, ...fields };
  throwIfInvalid(validateFields(record.table, merged, 'create'));
  const next = { ...record, fields: merged, deleted: false, localUpdatedAt: writing.now };
  delete next.purged;
  const restore = Object.keys(fields).length > 0 ? { op: 'restore' as const, fields } : { op: 'restore' as const };
  return writeChange(tx, next, restore, writing);
}

/**
 * Writes the record, then appends its mutation, or merges it into the newest outbox entry when
 * that one is an unsent field-carrying entry of the same record (a sent entry is never changed).
 */
async function writeChange(
  tx: WriteTransaction,
  record: LocalRecord,
  mutation: Pick<NewOutboxEntry, 'op' | 'fields'>,
  { now, hooks, newestUnsent }: Writing,
): Promise<LocalRecord> {
  const outbox = tx.objectStore(STORES.outbox);
  const target =
    mutation.op === 'update' && newestUnsent && isMergeTarget(newestUnsent, record) ? newestUnsent : undefined;
  const stored = target ? record : { ...record, pending: record.pending + 1 };
  // Both writes go out together, one atomic transaction, issued and not awaited: the transaction
  // commits without a round trip through this thread (`inWriteTransaction`).
  notAwaited(tx.objectStore(STORES.records).put(stored));
  hooks.afterRecordPut?.(tx);
  if (target) {
    notAwaited(outbox.put({ ...target, fields: { ...target.fields, ...mutation.fields } }));
  } else {
    await addOutboxEntry(tx, newEntry(record, mutation, now));
  }
  return stored;
}

function newEntry(record: LocalRecord, mutation: Pick<NewOutboxEntry, 'op' | 'fields'>, now: string): NewOutboxEntry {
  return {
    id: newId(),
    table: record.table,
    op: mutation.op,
    recordId: record.id,
    workspaceId: record.workspaceId,
    baseVersion: record.server?.version ?? 0,
    ...(mutation.fields ? { fields: mutation.fields } : {}),
    clientTime: now,
    attempts: 0,
  };
}

/**
 * The newest outbox entry when it is an unsent entry of this record (its key is the newest and
 * above the watermark): the only entry an update may merge into. The watermarks and the record's
 * own entries (few: typing merges into one) are read at once, so a commit makes one round trip of
 * reads, not two: a round trip cost 5 to 90 ms on a loaded machine (typing bench). Not read by a
 * cursor from the outbox's end, which steps over every entry deleted since LevelDB last compacted
 * that range, milliseconds per commit after a drain in Chromium.
 */
async function newestUnsentEntryOf(tx: WriteTransaction, table: TableName, recordId: string) {
  const [sentThrough, newestKey, entries] = await Promise.all([
    readNumber(tx, 'sentThrough'),
    lastOutboxKey(tx),
    tx.objectStore(STORES.outbox).index(INDEXES.byRecord).getAll([table, recordId]),
  ]);
  return newestKey > sentThrough ? entries.find((entry) => entry.key === newestKey) : undefined;
}

function isMergeTarget(entry: OutboxEntry, record: LocalRecord): boolean {
  return entry.table === record.table && entry.recordId === record.id && MERGE_TARGETS.has(entry.op);
}

/** The fields of `patch` whose values differ from `current`. */
function changedFields(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(patch).filter(([field, value]) => !jsonEqual(current[field], value)));
}

/** Drops `undefined` values, which JSON (and so the server) would never see. */
function definedFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function idErrors(id: string, workspaceId: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!isUuid(id)) errors.push({ pointer: '/id', detail: 'must be a lowercase UUID' });
  if (!isUuid(workspaceId)) errors.push({ pointer: '/workspaceId', detail: 'must be a lowercase UUID' });
  return errors;
}

function throwIfInvalid(errors: FieldError[]): void {
  if (errors.length > 0) throw new ValidationError(errors);
}

/** Deletes a record for good (`commitPurge`) in its own transaction; unknown or purged: nothing happens. */
export async function purgeRecord(db: LocalDatabase, table: TableName, id: string): Promise<void> {
  await inWriteTransaction(db, (tx) => commitPurge(tx, table, id, new Date().toISOString()));
}
