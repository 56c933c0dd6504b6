/** Commit: a local change written atomically as the new visible record plus its outbox mutation. */
import { type FieldError, isUuid, newId, type TableName, validateFields } from '../../protocol/index.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { jsonEqual } from './json-equal.ts';
import { readNumber } from './meta.ts';
import { inWriteTransaction, type LocalDatabase, STORES, type WriteTransaction } from './schema.ts';
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
 * Commits `change` inside `tx`: validates it, writes the visible record and appends (or merges)
 * its mutation. Throws `ValidationError` or `NotFoundError` before writing anything.
 */
export async function commitInTransaction(
  tx: WriteTransaction,
  change: Change,
  hooks: CommitHooks = {},
): Promise<LocalRecord> {
  const now = new Date().toISOString();
  if (change.op === 'create') return commitCreate(tx, change, now, hooks);
  const record = await tx.objectStore(STORES.records).get([change.table, change.id]);
  if (!record || record.purged) throw new NotFoundError(change.table, change.id);
  switch (change.op) {
    case 'update':
      return commitUpdate(tx, record, change.fields, now, hooks);
    case 'delete':
      return commitDelete(tx, record, now, hooks);
    case 'restore':
      return record.deleted
        ? commitRestore(tx, record, change.fields ?? {}, now, hooks)
        : commitUpdate(tx, record, change.fields ?? {}, now, hooks);
  }
}

async function commitCreate(
  tx: WriteTransaction,
  change: Extract<Change, { op: 'create' }>,
  now: string,
  hooks: CommitHooks,
): Promise<LocalRecord> {
  const id = change.id ?? newId();
  const workspaceId = change.table === 'workspaces' ? id : change.workspaceId;
  const fields = definedFields(change.fields);
  throwIfInvalid([...idErrors(id, workspaceId), ...validateFields(change.table, fields, 'create')]);
  const existing = await tx.objectStore(STORES.records).get([change.table, id]);
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
  return writeChange(tx, record, { op: 'create', fields }, now, hooks);
}

async function commitUpdate(
  tx: WriteTransaction,
  record: LocalRecord,
  patch: Record<string, unknown>,
  now: string,
  hooks: CommitHooks,
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
  const next = { ...record, fields: merged, localUpdatedAt: now };
  return writeChange(tx, next, { op: 'update', fields: changed }, now, hooks);
}

async function commitDelete(tx: WriteTransaction, record: LocalRecord, now: string, hooks: CommitHooks) {
  if (record.deleted) return record;
  return writeChange(tx, { ...record, deleted: true, localUpdatedAt: now }, { op: 'delete' }, now, hooks);
}

async function commitRestore(
  tx: WriteTransaction,
  record: LocalRecord,
  patch: Record<string, unknown>,
  now: string,
  hooks: CommitHooks,
): Promise<LocalRecord> {
  const fields = definedFields(patch);
  throwIfInvalid(validateFields(record.table, fields, 'patch'));
  const merged = { ...record.fields, ...fields };
  throwIfInvalid(validateFields(record.table, merged, 'create'));
  const next = { ...record, fields: merged, deleted: false, localUpdatedAt: now };
  delete next.purged;
  const restore = Object.keys(fields).length > 0 ? { op: 'restore' as const, fields } : { op: 'restore' as const };
  return writeChange(tx, next, restore, now, hooks);
}

/**
 * Writes the record, then appends its mutation, or merges it into the newest outbox entry when
 * that one is an unsent field-carrying entry of the same record (a sent entry is never changed).
 */
async function writeChange(
  tx: WriteTransaction,
  record: LocalRecord,
  mutation: Pick<NewOutboxEntry, 'op' | 'fields'>,
  now: string,
  hooks: CommitHooks,
): Promise<LocalRecord> {
  const outbox = tx.objectStore(STORES.outbox);
  const target = mutation.op === 'update' ? await mergeTarget(tx, record) : undefined;
  const stored = target ? record : { ...record, pending: record.pending + 1 };
  await tx.objectStore(STORES.records).put(stored);
  hooks.afterRecordPut?.(tx);
  if (target) {
    await outbox.put({ ...target, fields: { ...target.fields, ...mutation.fields } });
  } else {
    const entry: NewOutboxEntry = {
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
    // The key is generated by the store (inline key path `key`).
    await outbox.add(entry as OutboxEntry);
  }
  return stored;
}

/** The newest outbox entry, when it is an unsent field-carrying entry of `record`. */
async function mergeTarget(tx: WriteTransaction, record: LocalRecord): Promise<OutboxEntry | undefined> {
  const [sentThrough, newest] = await Promise.all([
    readNumber(tx, 'sentThrough'),
    tx.objectStore(STORES.outbox).openCursor(null, 'prev'),
  ]);
  const entry = newest?.value;
  const mergeable =
    entry !== undefined &&
    entry.key > sentThrough &&
    entry.table === record.table &&
    entry.recordId === record.id &&
    MERGE_TARGETS.has(entry.op);
  return mergeable ? entry : undefined;
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

/** Hides a deleted record from the Trash for good; a live or unknown record is left alone. */
export async function purgeRecord(db: LocalDatabase, table: TableName, id: string): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    const records = tx.objectStore(STORES.records);
    const record = await records.get([table, id]);
    if (record?.deleted) await records.put({ ...record, purged: true });
  });
}
