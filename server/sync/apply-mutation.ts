/**
 * The one apply path of every write (push and REST): authorization, validation, per-field
 * conflicts, lww, tombstones, restore, duplicate URLs and collection parents.
 */
import {
  type ConflictCode,
  type FieldError,
  isTableName,
  jsonEqual,
  LIMITS,
  type Op,
  type Problem,
  prefixPointers,
  serverOwnedFieldErrors,
  TABLES,
  type TableDefinition,
  validateFields,
} from '../../protocol/index.ts';
import { problem } from '../problem.ts';
import { purgedVersion } from './purge-record.ts';
import { checkQuota } from './quota.ts';
import type { RecordAccess } from './record-access.ts';
import { liveLinkUrl, SERVER_WRITER, type StoredRecord, type Writer } from './stored-record.ts';

/** A write to apply: a push mutation, or a REST write turned into one. */
export interface MutationInput {
  table: string;
  op: Op;
  recordId: string;
  workspaceId: string;
  baseVersion: number;
  fields?: Record<string, unknown>;
}

/** Who writes, and where the mutation sits in its request body (for JSON Pointers). */
export interface ApplyContext {
  userId: string;
  writer: Writer;
  pointer: string;
}

/** A field of an update that conflicts, with the server's value (`null` when absent). */
export interface FieldConflict {
  field: string;
  server: unknown;
}

export type ApplyOutcome =
  /** `record` is null for the delete or purge of an id that does not exist (a no-op). */
  | { status: 'applied'; record: StoredRecord | null }
  /** `record`: the mutation's record after it; for `duplicate-url`, the card that has the URL. */
  | { status: 'conflict'; code: ConflictCode; conflicts?: FieldConflict[]; record: StoredRecord }
  | { status: 'rejected'; problem: Problem };

/** An outcome with the version the mutation's record had before it (0: none this user could see). */
export type MutationOutcome = ApplyOutcome & { fromVersion: number };

function rejected(status: number, code: Problem['code'], detail: string, errors?: FieldError[]): ApplyOutcome {
  return { status: 'rejected', problem: problem(status, code, detail, errors ? { errors } : undefined) };
}

function invalid(errors: FieldError[]): ApplyOutcome {
  return rejected(400, 'invalid-field', 'Some fields are invalid.', errors);
}

const FORBIDDEN = (): ApplyOutcome => rejected(403, 'forbidden', 'You may not write to this workspace or record.');

/** Checks the mutation's fields against the table; null when they are acceptable. */
function checkFields(table: TableDefinition, input: MutationInput, pointer: string): ApplyOutcome | null {
  if (table.name === 'workspaces' && input.op === 'purge') {
    // A workspace holds the ownership of everything in it: it is deleted (and restorable), never erased.
    return invalid([{ pointer: `${pointer}/op`, detail: 'cannot purge a workspace: delete it instead' }]);
  }
  if (input.op === 'delete' || input.op === 'purge') return null;
  const fields = input.fields ?? {};
  const errors = [
    ...validateFields(table.name, fields, input.op === 'create' ? 'create' : 'patch'),
    ...serverOwnedFieldErrors(table.name, fields),
  ];
  if (errors.length > 0) return invalid(prefixPointers(`${pointer}/fields`, errors));
  if (Buffer.byteLength(JSON.stringify(fields)) > LIMITS.maxJsonBytes) {
    return rejected(413, 'too-large', `The fields of one record may not exceed ${LIMITS.maxJsonBytes} bytes.`);
  }
  return null;
}

/**
 * A collection's parent must be a live collection of the same workspace, not the collection
 * itself, not one of its descendants, and at most `LIMITS.collectionDepth` − 1 deep. The walk up
 * counts deleted collections too: the graph of parents with its tombstones stays a forest, so a
 * restore can never close a loop (Z, Y under Z, X under Y; delete Y; Z under X is refused here,
 * where it once made X→Y→Z→X on Y's restore). It reads at most `collectionDepth` records, however
 * deep old data nests or loops (a push of a 1,000-deep chain took 9.8 s when the walk went to the root).
 */
function checkParent(access: RecordAccess, record: StoredRecord, pointer: string): ApplyOutcome | null {
  const parentId = record.fields.parentId;
  if (record.table !== 'collections' || parentId === undefined || parentId === null) return null;
  const fail = (detail: string) => invalid([{ pointer: `${pointer}/fields/parentId`, detail }]);
  if (parentId === record.id) return fail('must not be the collection itself');
  const parent = typeof parentId === 'string' ? access.getRecord('collections', parentId) : undefined;
  if (!parent || parent.deleted || parent.workspaceId !== record.workspaceId) {
    return fail('must be a live collection of the same workspace');
  }
  let depth = 1;
  for (let current = parent; typeof current.fields.parentId === 'string'; ) {
    const next = current.fields.parentId;
    if (next === record.id) return fail('would make a cycle');
    const ancestor = access.getRecord('collections', next);
    // A purged ancestor ends the chain: its row gone (the age purge) or its parentId erased with
    // the rest of it (a purge, after which nothing can write it again). Records never move
    // between workspaces.
    if (!ancestor || ancestor.workspaceId !== record.workspaceId) break;
    if (++depth >= LIMITS.collectionDepth) {
      return fail(`would nest this collection too deeply: collections nest at most ${LIMITS.collectionDepth} levels`);
    }
    current = ancestor;
  }
  return null;
}

/** Rules across fields (a link card needs its URL), run on the record as it would be. */
function checkRecord(table: TableDefinition, record: StoredRecord, pointer: string): ApplyOutcome | null {
  const errors = table.check?.(record.fields) ?? [];
  return errors.length > 0 ? invalid(prefixPointers(`${pointer}/fields`, errors)) : null;
}

/**
 * A link card whose URL is already saved in another live link card of the workspace, compared
 * normalised: refused (a create as a `duplicate-url` conflict naming that card, a change as a
 * 409 rejection), so the person keeps what they wrote and sees why.
 */
function findTwin(access: RecordAccess, record: StoredRecord): StoredRecord | undefined {
  const url = liveLinkUrl(record);
  const twin = url === null ? undefined : access.findLiveLinkCard(record.workspaceId, url);
  return twin && twin.id !== record.id ? twin : undefined;
}

function duplicateUrlRejection(twin: StoredRecord, pointer: string): ApplyOutcome {
  const errors = [{ pointer: `${pointer}/fields/url`, detail: 'is already saved in another card' }];
  const detail = 'A link card with this URL already exists in the workspace.';
  return { status: 'rejected', problem: problem(409, 'duplicate-url', detail, { errors, existingId: twin.id }) };
}

/** A new version of `existing` with `changes` applied and stamped with the next seq. */
export function nextVersion(
  access: RecordAccess,
  existing: StoredRecord,
  changes: Record<string, unknown>,
  writer: Writer,
  deleted: boolean,
): StoredRecord {
  const version = existing.version + 1;
  const record: StoredRecord = {
    ...existing,
    version,
    seq: access.nextSeq(),
    deleted,
    updatedAt: access.now(),
    fields: { ...existing.fields, ...changes },
    fieldVersions: { ...existing.fieldVersions },
    fieldWriters: { ...existing.fieldWriters },
  };
  for (const field of Object.keys(changes)) {
    record.fieldVersions[field] = version;
    record.fieldWriters[field] = writer;
  }
  return record;
}

/**
 * Validates and saves a changed record; the outcome when it is refused. The parent is checked
 * only when it changes: a collection whose parent was deleted later stays writable.
 */
function commit(
  access: RecordAccess,
  table: TableDefinition,
  record: StoredRecord,
  changes: Record<string, unknown>,
  pointer: string,
): ApplyOutcome | null {
  const refusal =
    (record.deleted ? null : checkRecord(table, record, pointer)) ??
    ('parentId' in changes ? checkParent(access, record, pointer) : null);
  if (refusal) return refusal;
  access.saveRecord(record, false);
  return null;
}

/** Fields whose value differs from the record's: what a change would really touch. */
function differing(existing: StoredRecord, fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(([field, value]) => !jsonEqual(existing.fields[field], value)),
  );
}

function create(
  access: RecordAccess,
  table: TableDefinition,
  input: MutationInput,
  context: ApplyContext,
): ApplyOutcome {
  const fields = input.fields ?? {};
  const now = access.now();
  const versions = Object.fromEntries(Object.keys(fields).map((field) => [field, 1]));
  const writers = Object.fromEntries(Object.keys(fields).map((field) => [field, context.writer]));
  const record: StoredRecord = {
    table: table.name,
    id: input.recordId,
    workspaceId: input.workspaceId,
    ownerId: context.userId,
    version: 1,
    seq: 0,
    deleted: false,
    purged: false,
    createdAt: now,
    updatedAt: now,
    fields: { ...fields },
    fieldVersions: versions,
    fieldWriters: writers,
  };
  const twin = findTwin(access, record);
  if (twin) return { status: 'conflict', code: 'duplicate-url', record: twin };
  const refusal =
    checkRecord(table, record, context.pointer) ??
    checkParent(access, record, context.pointer) ??
    quotaRefusal(access, context.userId, null, record);
  if (refusal) return refusal;
  record.seq = access.nextSeq();
  if (table.name === 'workspaces') access.claimWorkspace(record.id, context.userId);
  access.saveRecord(record, true);
  if (liveLinkUrl(record) !== null) access.enqueuePreview(record);
  return { status: 'applied', record };
}

/** The quota's refusal of saving `after` in place of `before`, as an outcome. */
function quotaRefusal(
  access: RecordAccess,
  userId: string,
  before: StoredRecord | null,
  after: StoredRecord,
): ApplyOutcome | null {
  const refused = checkQuota(access, userId, before, after);
  return refused ? { status: 'rejected', problem: refused } : null;
}

/** Applies `changes` (and an undelete) to `existing`; a no-op when nothing would change. */
function change(
  access: RecordAccess,
  table: TableDefinition,
  existing: StoredRecord,
  changes: Record<string, unknown>,
  context: ApplyContext,
  deleted: boolean,
): { refusal: ApplyOutcome | null; record: StoredRecord } {
  if (Object.keys(changes).length === 0 && deleted === existing.deleted) return { refusal: null, record: existing };
  const record = nextVersion(access, existing, changes, context.writer, deleted);
  const url = liveLinkUrl(record);
  const newLink = url !== null && url !== liveLinkUrl(existing);
  const twin = newLink ? findTwin(access, record) : undefined;
  if (twin) return { refusal: duplicateUrlRejection(twin, context.pointer), record };
  const refusal =
    quotaRefusal(access, context.userId, existing, record) ?? commit(access, table, record, changes, context.pointer);
  if (!refusal && newLink) access.enqueuePreview(record);
  return { refusal, record };
}

function update(
  access: RecordAccess,
  table: TableDefinition,
  existing: StoredRecord,
  input: MutationInput,
  context: ApplyContext,
): ApplyOutcome {
  const wanted = differing(existing, input.fields ?? {});
  if (table.policy === 'lww') {
    const { refusal, record } = change(access, table, existing, wanted, context, false);
    return refusal ?? { status: 'applied', record };
  }
  if (existing.deleted) return { status: 'conflict', code: 'deleted', record: existing };
  const conflicts: FieldConflict[] = [];
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wanted)) {
    // A field changed after the client's base by someone else (not by this client's own earlier
    // mutation). What the server filled in yields: the person always wins over a preview.
    const changedSince = (existing.fieldVersions[field] ?? 0) > input.baseVersion;
    const writer = existing.fieldWriters[field];
    if (changedSince && writer !== context.writer && writer !== SERVER_WRITER) {
      conflicts.push({ field, server: existing.fields[field] ?? null });
    } else {
      changes[field] = value;
    }
  }
  const { refusal, record } = change(access, table, existing, changes, context, false);
  if (refusal) return refusal;
  if (conflicts.length > 0) return { status: 'conflict', code: 'field-conflict', conflicts, record };
  return { status: 'applied', record };
}

function applyToExisting(
  access: RecordAccess,
  table: TableDefinition,
  existing: StoredRecord,
  input: MutationInput,
  context: ApplyContext,
): ApplyOutcome {
  if (existing.purged && input.op !== 'delete' && input.op !== 'purge') {
    return writeToPurged(access, table, existing, input, context);
  }
  switch (input.op) {
    case 'create': {
      if (table.policy === 'lww') return update(access, table, existing, input, context);
      return { status: 'conflict', code: existing.deleted ? 'deleted' : 'exists', record: existing };
    }
    case 'update':
      return update(access, table, existing, input, context);
    case 'delete': {
      if (existing.deleted) return { status: 'applied', record: existing };
      const { refusal, record } = change(access, table, existing, {}, context, true);
      return refusal ?? { status: 'applied', record };
    }
    case 'restore': {
      const wanted = differing(existing, input.fields ?? {});
      const { refusal, record } = change(access, table, existing, wanted, context, false);
      return refusal ?? { status: 'applied', record };
    }
    case 'purge': {
      const record = purgedVersion(access, existing);
      if (record) access.saveRecord(record, false);
      return { status: 'applied', record: record ?? existing };
    }
  }
}

/**
 * A create, update or restore of a purged record: there is nothing left to bring back, so it is
 * the `deleted` conflict a write to a tombstone gets. Under `lww` (a view's settings, whose id
 * every device derives from its name) a create starts the record again, as a create of a
 * tombstone does there; a partial update cannot, as the erased fields are gone.
 */
function writeToPurged(
  access: RecordAccess,
  table: TableDefinition,
  existing: StoredRecord,
  input: MutationInput,
  context: ApplyContext,
): ApplyOutcome {
  if (table.policy !== 'lww' || input.op !== 'create') return { status: 'conflict', code: 'deleted', record: existing };
  // The whole record, checked as a create by `checkFields`, over the erased one.
  const reborn = { ...existing, purged: false };
  const { refusal, record } = change(access, table, reborn, input.fields ?? {}, context, false);
  return refusal ?? { status: 'applied', record };
}

/**
 * Applies one mutation for `context.userId` through `access`. Never throws for a bad
 * mutation: refusals are outcomes. A user writes only workspaces they own; a record of a
 * workspace they do not own is treated exactly like an id that does not exist.
 */
export function applyMutation(access: RecordAccess, input: MutationInput, context: ApplyContext): MutationOutcome {
  const name = input.table;
  if (!isTableName(name)) return { ...rejected(404, 'unknown-table', unknownTable(name)), fromVersion: 0 };
  const { outcome, fromVersion } = applyToTable(access, TABLES[name], input, context);
  return { ...outcome, fromVersion };
}

/** How much of an unknown table's name its rejection repeats: a kept rejection stays small. */
const MAX_NAME_SHOWN = 64;

function unknownTable(name: string): string {
  const shown = name.length > MAX_NAME_SHOWN ? `${name.slice(0, MAX_NAME_SHOWN)}…` : name;
  return `There is no table ${JSON.stringify(shown)}.`;
}

function applyToTable(
  access: RecordAccess,
  table: TableDefinition,
  input: MutationInput,
  context: ApplyContext,
): { outcome: ApplyOutcome; fromVersion: number } {
  const outcome = (value: ApplyOutcome, fromVersion = 0) => ({ outcome: value, fromVersion });
  const fieldRefusal = checkFields(table, input, context.pointer);
  if (fieldRefusal) return outcome(fieldRefusal);
  if (table.name === 'workspaces' && input.workspaceId !== input.recordId) {
    const errors = [{ pointer: `${context.pointer}/workspaceId`, detail: 'must equal the record id for a workspace' }];
    return outcome(invalid(errors));
  }
  const owner = access.workspaceOwner(input.workspaceId);
  const creatingWorkspace = table.name === 'workspaces' && input.op === 'create' && owner === undefined;
  if (owner !== context.userId && !creatingWorkspace) return outcome(FORBIDDEN());
  const found = access.getRecord(table.name, input.recordId);
  const existing = found && found.ownerId === context.userId ? found : undefined;
  if (found && !existing) {
    // The id belongs to someone else's record: a create cannot take it; anything else sees nothing.
    if (input.op === 'create') return outcome(FORBIDDEN());
  }
  if (existing && existing.workspaceId !== input.workspaceId && input.op !== 'create') {
    return outcome(invalid([{ pointer: `${context.pointer}/workspaceId`, detail: "is not the record's workspace" }]));
  }
  if (existing) return outcome(applyToExisting(access, table, existing, input, context), existing.version);
  switch (input.op) {
    case 'create':
      return outcome(create(access, table, input, context));
    case 'delete':
    case 'purge':
      // Like the delete of an unknown id: nothing to erase, and the same answer as "not yours".
      return outcome({ status: 'applied', record: null });
    default:
      return outcome(rejected(404, 'not-found', `There is no ${table.name} record ${input.recordId}.`));
  }
}
