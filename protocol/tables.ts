/** The six tables of the protocol, defined once: fields, types, required fields, limits, policy. */
import * as v from 'valibot';
import {
  bool,
  calendarDate,
  coverImage,
  favicon,
  finiteNumber,
  hexColor,
  httpUrl,
  listOf,
  oneOf,
  text,
  timeOfDay,
  timestamp,
  uuid,
} from './field-types.ts';
import type { FieldError } from './problems.ts';

/** A field every record of the table has (on create it must be present, never null). */
function required<S extends v.GenericSchema>(schema: S) {
  return { schema, optional: false as const };
}

/** A field that may be omitted on create, or set to null. */
function optional<S extends v.GenericSchema>(schema: S) {
  return { schema, optional: true as const };
}

/**
 * A field only the server writes (a link's preview state): optional, and refused with
 * `invalid-field` in a person's mutation (`serverOwnedFieldErrors`).
 */
function serverOwned<S extends v.GenericSchema>(schema: S) {
  return { schema, optional: true as const, serverOwned: true as const };
}

export type FieldDefinition =
  | ReturnType<typeof required>
  | ReturnType<typeof optional>
  | ReturnType<typeof serverOwned>;

/** How concurrent edits combine: per-field conflicts (`merge`) or last arrival wins (`lww`). */
export type ConflictPolicy = 'merge' | 'lww';

/** Character limits of the card fields a link preview fills; the server cuts what it fetched to them. */
export const CARD_LIMITS = {
  title: 500,
  description: 2000,
  siteName: 200,
  articleText: 100_000,
  favicon: 8192,
  previewError: 500,
} as const;

/** A link preview's state, written by the server only (docs/protocol.md, Link previews). */
const previewMetadata = v.strictObject(
  {
    status: oneOf(['pending', 'ready', 'failed']),
    fetchedAt: v.nullable(timestamp),
    canonicalUrl: v.nullable(httpUrl(2048)),
    publishedAt: v.nullable(timestamp),
    error: v.nullable(text(0, CARD_LIMITS.previewError)),
  },
  'must be an object of status, fetchedAt, canonicalUrl, publishedAt and error',
);

export type PreviewMetadata = v.InferOutput<typeof previewMetadata>;

const cardFields = {
  kind: required(oneOf(['link', 'note'])),
  url: optional(httpUrl(2048)),
  title: required(text(0, CARD_LIMITS.title)),
  description: optional(text(0, CARD_LIMITS.description)),
  siteName: optional(text(0, CARD_LIMITS.siteName)),
  image: optional(coverImage),
  favicon: optional(favicon(CARD_LIMITS.favicon)),
  articleText: optional(text(0, CARD_LIMITS.articleText)),
  metadata: serverOwned(previewMetadata),
  /** When the person saved it (absent: the record's createdAt). */
  savedAt: optional(timestamp),
  /** When it last changed where it came from (an imported bookmark's LAST_MODIFIED). */
  modifiedAt: optional(timestamp),
  content: required(text(0, 200_000)),
  tags: required(listOf(text(1, 64), 50)),
  collectionIds: required(listOf(uuid, 100)),
  pinned: required(bool),
};

const viewFilters = v.strictObject(
  {
    tags: v.optional(listOf(text(1, 64), 50)),
    kind: v.optional(oneOf(['link', 'note'])),
    pinned: v.optional(bool),
    collectionId: v.optional(uuid),
  },
  'must be an object of tags, kind, pinned and collectionId',
);

const DEFINITIONS = {
  workspaces: {
    policy: 'merge',
    fields: { name: required(text(1, 100)) },
  },
  collections: {
    policy: 'merge',
    fields: {
      name: required(text(1, 100)),
      color: optional(hexColor),
      parentId: optional(uuid),
      position: required(finiteNumber),
      /** When the folder was made where it came from (an imported folder's ADD_DATE). */
      savedAt: optional(timestamp),
      /** When its contents last changed there (an imported folder's LAST_MODIFIED). */
      modifiedAt: optional(timestamp),
    },
  },
  cards: {
    policy: 'merge',
    fields: cardFields,
    /** A link card needs its URL. */
    check: (record: Record<string, unknown>): FieldError[] =>
      record.kind === 'link' && (record.url === undefined || record.url === null)
        ? [{ pointer: '/url', detail: 'is required for a link card' }]
        : [],
  },
  todos: {
    policy: 'merge',
    fields: {
      text: required(text(1, 1000)),
      done: required(bool),
      due: optional(calendarDate),
      cardId: optional(uuid),
      position: required(finiteNumber),
    },
  },
  events: {
    policy: 'merge',
    fields: {
      title: required(text(1, 500)),
      date: required(calendarDate),
      start: optional(timeOfDay),
      end: optional(timeOfDay),
      notes: optional(text(0, 10_000)),
      cardId: optional(uuid),
    },
  },
  viewSettings: {
    policy: 'lww',
    fields: {
      viewKey: required(text(1, 100)),
      layout: required(oneOf(['grid', 'list', 'compact'])),
      sortBy: required(oneOf(['updated', 'created', 'title', 'manual'])),
      sortDir: required(oneOf(['asc', 'desc'])),
      filters: required(viewFilters),
    },
  },
} as const satisfies Record<
  string,
  {
    policy: ConflictPolicy;
    fields: Record<string, FieldDefinition>;
    check?: (record: Record<string, unknown>) => FieldError[];
  }
>;

export type TableName = keyof typeof DEFINITIONS;

export interface TableDefinition {
  name: TableName;
  policy: ConflictPolicy;
  fields: Record<string, FieldDefinition>;
  /** Rules across fields, run on a whole record. */
  check?: (record: Record<string, unknown>) => FieldError[];
}

export const TABLE_NAMES = Object.keys(DEFINITIONS) as TableName[];

export const TABLES = Object.fromEntries(
  TABLE_NAMES.map((name): [TableName, TableDefinition] => [name, { name, ...DEFINITIONS[name] }]),
) as Record<TableName, TableDefinition>;

export function isTableName(value: unknown): value is TableName {
  return typeof value === 'string' && Object.hasOwn(DEFINITIONS, value);
}

type Definitions = typeof DEFINITIONS;
type FieldsDefinition<T extends TableName> = Definitions[T]['fields'];
type RequiredKeys<D> = { [K in keyof D]: D[K] extends { optional: false } ? K : never }[keyof D];
type OptionalKeys<D> = { [K in keyof D]: D[K] extends { optional: true } ? K : never }[keyof D];
type Value<F> = F extends { schema: infer S extends v.GenericSchema } ? v.InferOutput<S> : never;

/** The fields of a whole record of table T, derived from the definitions above. */
export type Fields<T extends TableName> = {
  [K in RequiredKeys<FieldsDefinition<T>>]: Value<FieldsDefinition<T>[K]>;
} & {
  [K in OptionalKeys<FieldsDefinition<T>>]?: Value<FieldsDefinition<T>[K]> | null;
};

export type WorkspaceFields = Fields<'workspaces'>;
export type CollectionFields = Fields<'collections'>;
export type CardFields = Fields<'cards'>;
export type TodoFields = Fields<'todos'>;
export type EventFields = Fields<'events'>;
export type ViewSettingsFields = Fields<'viewSettings'>;
