/** Conversions between PostgreSQL `records` rows and stored records, and the spliced JSON of envelopes. */
import type { TableName } from '../../../protocol/index.ts';
import type { StoredRecord } from '../../sync/stored-record.ts';

export interface PgRecordRow {
  tbl: string;
  id: string;
  workspace_id: string;
  owner_id: string;
  version: number;
  seq: number;
  deleted: boolean;
  purged: boolean;
  created_at: string;
  updated_at: string;
  fields: string;
  field_versions: string;
  field_writers: string;
}

export function rowToRecord(row: PgRecordRow): StoredRecord {
  return {
    table: row.tbl as TableName,
    id: row.id,
    workspaceId: row.workspace_id,
    ownerId: row.owner_id,
    version: row.version,
    seq: row.seq,
    deleted: row.deleted,
    purged: row.purged,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    fields: JSON.parse(row.fields),
    fieldVersions: JSON.parse(row.field_versions),
    fieldWriters: JSON.parse(row.field_writers),
  };
}

/** The columns `envelopeBytes` reads, in order (for `.values()` queries). */
export const ENVELOPE_COLUMNS = 'tbl, id, workspace_id, version, seq, deleted, created_at, updated_at, fields, purged';

export type PgEnvelopeRow = [string, string, string, number, number, boolean, string, string, string, boolean];

/**
 * The JSON bytes of an envelope, spliced from a row without parsing `fields`. Safe because every
 * other value is a table name, a UUID, an integer or an ISO timestamp: none needs escaping.
 */
export function envelopeBytes(row: PgEnvelopeRow): Buffer {
  return Buffer.from(
    `{"table":"${row[0]}","id":"${row[1]}","workspaceId":"${row[2]}","version":${row[3]},"seq":${row[4]},"deleted":${row[5]}${row[9] ? ',"purged":true' : ''},"createdAt":"${row[6]}","updatedAt":"${row[7]}","fields":${row[8]}}`,
  );
}
