/** Conversions between `records` rows and stored records, and the spliced JSON of envelopes. */
import type { TableName } from '../../../protocol/index.ts';
import type { StoredRecord } from '../../sync/stored-record.ts';

/** The columns of a whole record, in the order `RecordRow` names them. */
export const RECORD_COLUMNS =
  'tbl, id, workspace_id, owner_id, version, seq, deleted, purged, created_at, updated_at, fields, field_versions, field_writers';

export interface RecordRow {
  tbl: string;
  id: string;
  workspace_id: string;
  owner_id: string;
  version: number;
  seq: number;
  deleted: number;
  purged: number;
  created_at: string;
  updated_at: string;
  fields: string;
  field_versions: string;
  field_writers: string;
}

export function rowToRecord(row: RecordRow): StoredRecord {
  return {
    table: row.tbl as TableName,
    id: row.id,
    workspaceId: row.workspace_id,
    ownerId: row.owner_id,
    version: row.version,
    seq: row.seq,
    deleted: row.deleted === 1,
    purged: row.purged === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    fields: JSON.parse(row.fields),
    fieldVersions: JSON.parse(row.field_versions),
    fieldWriters: JSON.parse(row.field_writers),
  };
}

/**
 * The columns `envelopeBytes` reads, in order (for `raw()` statements); `fields` as the bytes
 * stored, so a page never decodes them into strings and back.
 */
export const ENVELOPE_COLUMNS =
  'tbl, id, workspace_id, version, seq, deleted, created_at, updated_at, CAST(fields AS BLOB), purged';

export type EnvelopeRow = [string, string, string, number, number, number, string, string, Uint8Array, number];

const ENVELOPE_END = Buffer.from('}');

/**
 * The JSON bytes of an envelope, spliced from a raw row without parsing `fields`. Safe because
 * every other value is a table name, a UUID, an integer or an ISO timestamp: none needs escaping.
 */
export function envelopeBytes(row: EnvelopeRow): Buffer {
  const purged = row[9] === 1 ? ',"purged":true' : '';
  const head = `{"table":"${row[0]}","id":"${row[1]}","workspaceId":"${row[2]}","version":${row[3]},"seq":${row[4]},"deleted":${row[5] === 1}${purged},"createdAt":"${row[6]}","updatedAt":"${row[7]}","fields":`;
  return Buffer.concat([Buffer.from(head), row[8], ENVELOPE_END]);
}
