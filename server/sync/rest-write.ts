/** REST writes on the push apply path: the mutation a REST write stands for, and its HTTP answer. */
import { fail } from '../problem.ts';
import type { RestWrite, StoredResponse } from '../storage/store.ts';
import type { ApplyOutcome, MutationInput } from './apply-mutation.ts';
import type { RecordAccess } from './record-access.ts';
import { toEnvelope } from './stored-record.ts';

/**
 * The mutation of a REST write, always based on the record's current version (so it never
 * gets a field conflict). Throws 404 for a record the user cannot see, 412 for a stale If-Match.
 */
export function restMutation(access: RecordAccess, userId: string, write: RestWrite): MutationInput {
  if (write.op === 'create') {
    const { table, id, workspaceId, fields } = write;
    return { table, op: 'create', recordId: id, workspaceId, baseVersion: 0, fields };
  }
  const found = access.getRecord(write.table, write.id);
  const existing = found?.ownerId === userId ? found : undefined;
  if (!existing) throw fail(404, 'not-found', `There is no ${write.table} record ${write.id}.`);
  if (write.ifMatch !== undefined && write.ifMatch !== existing.version) {
    throw fail(412, 'version-mismatch', `The record is at version ${existing.version}.`, {
      current: toEnvelope(existing),
    });
  }
  const base = {
    table: write.table,
    recordId: write.id,
    workspaceId: existing.workspaceId,
    baseVersion: existing.version,
  };
  return write.op === 'update' ? { ...base, op: 'update', fields: write.fields } : { ...base, op: write.op };
}

const CONFLICT_DETAIL = {
  exists: 'A record with this id already exists.',
  deleted: 'The record is deleted; restore it first.',
  'duplicate-url': 'A link card with this URL already exists in the workspace.',
};

const PURGED_DETAIL = 'The record was deleted for good; it cannot come back.';

/** The HTTP answer of a REST write's outcome; refusals are thrown as problems (never stored). */
export function restResponse(write: RestWrite, outcome: ApplyOutcome): StoredResponse {
  switch (outcome.status) {
    case 'applied': {
      const status = write.op === 'create' ? 201 : 200;
      return { status, body: JSON.stringify(toEnvelope(outcome.record!)), replayed: false };
    }
    case 'conflict': {
      const current = toEnvelope(outcome.record);
      if (outcome.code === 'field-conflict') throw fail(409, 'version-mismatch', 'The record changed.', { current });
      const detail = outcome.record.purged ? PURGED_DETAIL : CONFLICT_DETAIL[outcome.code];
      throw fail(409, outcome.code, detail, { current });
    }
    case 'rejected': {
      // Extra members (errors, existingId) ride along; type and title follow from the code.
      const { type: _type, title: _title, status, code, detail, ...extra } = outcome.problem;
      throw fail(status, code, detail, extra);
    }
  }
}
