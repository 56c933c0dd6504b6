/** Sync status and server problems in words a person understands. */
import type { Problem, TableName } from '../../protocol/index.ts';
import type { RecordRef, SyncStatus } from '../api/client.ts';
import { formatInstant as formatTime } from './dates.ts';

/** The status pill's text. */
export function statusLabel(status: SyncStatus): string {
  switch (status.state) {
    case 'local-only':
      return 'Saved locally';
    case 'signed-out':
      return status.pending > 0 ? `Signed out — ${status.pending} pending` : 'Saved locally';
    case 'syncing':
      return 'Syncing…';
    case 'synced':
      return status.lastSyncAt ? `Synced ${formatTime(status.lastSyncAt)}` : 'Synced';
    case 'offline':
      return `Offline — ${status.pending} pending`;
    case 'unreachable':
      return "Can't reach Burrow";
    case 'error':
      return 'Sync error';
  }
}

/** The pill's tone, for colour: calm, busy or needs attention. */
export function statusTone(status: SyncStatus): 'ok' | 'busy' | 'warn' {
  if (status.state === 'error' || status.failed > 0 || status.conflicts > 0) return 'warn';
  if (status.state === 'syncing' || status.state === 'offline' || status.state === 'unreachable') return 'busy';
  return 'ok';
}

/** A clock time (today) or a short date and time, in the person's locale (see dates.ts). */
export { formatTime };

const FIELD_NAMES: Record<string, string> = {
  url: 'Link',
  title: 'Title',
  description: 'Description',
  content: 'Text',
  tags: 'Tags',
  collectionIds: 'Collections',
  name: 'Name',
  text: 'Text',
  due: 'Due date',
  date: 'Date',
  start: 'Start',
  end: 'End',
  notes: 'Notes',
  parentId: 'Parent collection',
  cardId: 'Linked card',
};

/** A field's name as the forms show it. */
export function fieldLabel(field: string): string {
  return FIELD_NAMES[field] ?? (field ? field[0].toUpperCase() + field.slice(1) : 'This item');
}

/** "Title must be at most 500 characters" from a field error pointer and detail. */
export function describeFieldError(pointer: string, detail: string): string {
  return `${fieldLabel(pointer.split('/')[1] ?? '')} ${detail}`;
}

/** Why the server refused a change, in plain words. */
export function describeProblem(problem: Problem): string {
  switch (problem.code) {
    case 'invalid-field': {
      const errors = problem.errors ?? [];
      const first = errors[0];
      return first
        ? `${describeFieldError(first.pointer.replace(/^(\/mutations\/\d+)?\/fields/, ''), first.detail)}.`
        : 'Some of the values are not allowed.';
    }
    case 'forbidden':
      return 'You are not allowed to change this (it may belong to a workspace you no longer have access to).';
    case 'not-found':
      return 'This item no longer exists on the server.';
    case 'too-large':
      return 'This change is too large to sync.';
    case 'quota-exceeded':
      return 'Your account is out of storage: this change is kept here but not synced. Make room, then retry.';
    case 'unknown-table':
      return 'The server does not know this kind of item (the app may be out of date).';
    default:
      return problem.detail || problem.title || 'The server refused this change.';
  }
}

const THING_NAMES: Partial<Record<TableName, [string, string]>> = {
  cards: ['card', 'cards'],
  collections: ['collection', 'collections'],
  todos: ['todo', 'todos'],
  events: ['event', 'events'],
  workspaces: ['workspace', 'workspaces'],
};

/**
 * "3 cards updated on another device", "1 card and 2 todos updated on another device": what
 * arrived, by kind; null when nothing a person keeps arrived (view settings only).
 */
export function describeArrivals(records: RecordRef[]): string | null {
  const counts = new Map<TableName, number>();
  for (const record of records) {
    if (THING_NAMES[record.table]) counts.set(record.table, (counts.get(record.table) ?? 0) + 1);
  }
  const parts = (Object.keys(THING_NAMES) as TableName[])
    .filter((table) => counts.has(table))
    .map((table) => {
      const count = counts.get(table)!;
      const [one, many] = THING_NAMES[table]!;
      return `${count} ${count === 1 ? one : many}`;
    });
  if (parts.length === 0) return null;
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `${list} updated on another device`;
}
