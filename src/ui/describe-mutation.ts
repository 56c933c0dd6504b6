/** Names a queued, failed or conflicting change in words: "Edit of note “Soup”". */
import type { Op, TableName } from '../../protocol/index.ts';
import { formatDateField } from './dates.ts';

const TABLE_NOUNS: Record<TableName, string> = {
  workspaces: 'workspace',
  collections: 'collection',
  cards: 'card',
  todos: 'todo',
  events: 'event',
  viewSettings: 'view settings',
};

const OP_NOUNS: Record<Op, string> = {
  create: 'New',
  update: 'Edit of',
  delete: 'Deletion of',
  restore: 'Restore of',
  purge: 'Permanent deletion of',
};

/** The record's own name, from whichever of its naming fields is present. */
export function recordName(fields: Record<string, unknown> | undefined | null): string | null {
  const name = fields?.title ?? fields?.name ?? fields?.text ?? fields?.viewKey ?? fields?.url;
  return typeof name === 'string' && name ? name : null;
}

export function describeMutation(op: Op, table: TableName, fields?: Record<string, unknown> | null): string {
  const name = recordName(fields);
  return `${OP_NOUNS[op]} ${TABLE_NOUNS[table]}${name ? ` “${name.slice(0, 80)}”` : ''}`;
}

/** A field's value as a person reads it: a date or a time of `field` in their locale. */
export function formatValue(value: unknown, field?: string): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (field && typeof value === 'string') {
    const date = formatDateField(field, value);
    if (date !== null) return date;
  }
  if (Array.isArray(value)) return value.length ? value.join(', ') : '(none)';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
