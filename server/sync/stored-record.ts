/** A record as the server keeps it: the envelope plus per-field versions and writers. */
import { type Envelope, normalizeUrl, type TableName } from '../../protocol/index.ts';

/** Who made a change: the pushing client's id, null for a REST write, or `SERVER_WRITER`. */
export type Writer = string | null;

/** The writer of what the server itself wrote (link previews); never a client id, which is a UUID. */
export const SERVER_WRITER = 'server';

export interface StoredRecord {
  table: TableName;
  id: string;
  workspaceId: string;
  /** The owner of the record's workspace (denormalised: pull reads by owner and seq). */
  ownerId: string;
  version: number;
  seq: number;
  deleted: boolean;
  /** Deleted for good: a tombstone with its content erased, never to come back (see `purgeRecord`). */
  purged: boolean;
  createdAt: string;
  updatedAt: string;
  fields: Record<string, unknown>;
  /** For each field, the record version at which it last changed. */
  fieldVersions: Record<string, number>;
  /** For each field, the client whose mutation last changed it (null: a REST write; `SERVER_WRITER`). */
  fieldWriters: Record<string, Writer>;
}

/** The wire form of a stored record. */
export function toEnvelope(record: StoredRecord): Envelope {
  return {
    table: record.table,
    id: record.id,
    workspaceId: record.workspaceId,
    version: record.version,
    seq: record.seq,
    deleted: record.deleted,
    // Sent only when true: every other record's envelope stays as it was.
    ...(record.purged ? { purged: true as const } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    fields: record.fields,
  };
}

/** The normalised URL of a live link card, else null: what `duplicate-url` compares. */
export function liveLinkUrl(record: StoredRecord): string | null {
  const { kind, url } = record.fields;
  if (record.table !== 'cards' || record.deleted || kind !== 'link' || typeof url !== 'string') return null;
  return normalizeUrl(url);
}
