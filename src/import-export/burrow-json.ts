/** Burrow's own JSON export of a workspace, and its import as a validated plan. */
import { isUuid, normalizeUrl } from '../../protocol/index.ts';
import type { BurrowClient, RecordView } from '../api/client.ts';
import { ImportError } from './import-error.ts';
import { type ImportPlan, type ImportTable, type PlannedRecord, validatePlan } from './import-plan.ts';
import { createdAtOf } from './record-times.ts';
import { collectionPathKey, emptyWorkspaceIndex, entryKey, noteKey, type WorkspaceIndex } from './workspace-index.ts';

export const EXPORT_FORMAT = 'burrow-export';
export const EXPORT_VERSION = 1;
const EXPORT_TABLES: ImportTable[] = ['collections', 'cards', 'todos', 'events'];

export interface ExportedRecord {
  id: string;
  /** When the record was created (from its UUIDv7 id); cards carry `savedAt` and `modifiedAt` in their fields. */
  createdAt?: string;
  fields: Record<string, unknown>;
}

/** The file a workspace export writes. */
export interface BurrowExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  workspace: { id: string; name: string };
  collections: ExportedRecord[];
  cards: ExportedRecord[];
  todos: ExportedRecord[];
  events: ExportedRecord[];
}

/** Builds the export of a workspace's live records (the Trash is left out). */
export async function exportWorkspace(
  client: Pick<BurrowClient, 'list'>,
  workspace: { id: string; name: string },
  now: Date = new Date(),
): Promise<BurrowExport> {
  const tables = await Promise.all(EXPORT_TABLES.map((table) => client.list(table, { workspaceId: workspace.id })));
  const live = (records: RecordView[]) =>
    records
      .filter((record) => !record.deleted)
      .map((record) => ({ id: record.id, createdAt: createdAtOf(record.id), fields: record.fields }));
  const [collections, cards, todos, events] = tables.map(live);
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    workspace,
    collections,
    cards,
    todos,
    events,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readRecords(file: Record<string, unknown>, table: ImportTable): ExportedRecord[] {
  const items = file[table] ?? [];
  if (!Array.isArray(items)) throw new ImportError(`This Burrow export is damaged: “${table}” is not a list.`);
  return items.map((item, index) => {
    if (!isObject(item) || !isUuid(item.id) || !isObject(item.fields)) {
      throw new ImportError(`This Burrow export is damaged: ${table} item ${index + 1} has no id or fields.`);
    }
    return { id: item.id, fields: item.fields };
  });
}

/** Parent before child; a loop of parents is a damaged file. */
function orderCollections(collections: ExportedRecord[]): ExportedRecord[] {
  const byId = new Map(collections.map((collection) => [collection.id, collection]));
  const ordered: ExportedRecord[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (collection: ExportedRecord) => {
    if (state.get(collection.id) === 'done') return;
    if (state.get(collection.id) === 'visiting') {
      throw new ImportError('This Burrow export is damaged: its collections are nested in a loop.');
    }
    state.set(collection.id, 'visiting');
    const parent = byId.get(collection.fields.parentId as string);
    if (parent) visit(parent);
    state.set(collection.id, 'done');
    ordered.push(collection);
  };
  for (const collection of collections) visit(collection);
  return ordered;
}

/** References to a collection matched in the workspace point at that collection. */
function pointAtMatches(table: ImportTable, fields: Record<string, unknown>, matched: Map<string, string>) {
  const swap = (id: unknown) => (typeof id === 'string' ? (matched.get(id) ?? id) : id);
  if (table === 'collections' && fields.parentId) return { ...fields, parentId: swap(fields.parentId) };
  if (table === 'cards' && Array.isArray(fields.collectionIds)) {
    return { ...fields, collectionIds: fields.collectionIds.map(swap) };
  }
  if ((table === 'todos' || table === 'events') && fields.cardId) return { ...fields, cardId: swap(fields.cardId) };
  return fields;
}

/** References to records the file does not hold are dropped rather than left dangling. */
function pruneReferences(table: ImportTable, fields: Record<string, unknown>, ids: Set<string>) {
  const copy = { ...fields };
  if (table === 'collections' && copy.parentId && !ids.has(copy.parentId as string)) copy.parentId = null;
  if (table === 'cards' && Array.isArray(copy.collectionIds)) {
    copy.collectionIds = copy.collectionIds.filter((id) => ids.has(id as string));
  }
  if ((table === 'todos' || table === 'events') && copy.cardId && !ids.has(copy.cardId as string)) copy.cardId = null;
  return copy;
}

/** Each collection's path of names within the file, by id. */
function collectionPaths(collections: ExportedRecord[]): Map<string, string[]> {
  const byId = new Map(collections.map((collection) => [collection.id, collection]));
  const paths = new Map<string, string[]>();
  const pathOf = (collection: ExportedRecord): string[] => {
    const known = paths.get(collection.id);
    if (known) return known;
    const parent = byId.get(collection.fields.parentId as string);
    const path = [...(parent ? pathOf(parent) : []), String(collection.fields.name)];
    paths.set(collection.id, path);
    return path;
  };
  for (const collection of orderCollections(collections)) pathOf(collection);
  return paths;
}

/**
 * Parses and validates a Burrow export; throws ImportError (nothing changed) when it cannot.
 * What the workspace already has is matched, not imported again: collections by path, links
 * by normalised URL, notes by title and content.
 */
export function planBurrowJsonImport(text: string, workspace: WorkspaceIndex = emptyWorkspaceIndex()): ImportPlan {
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    throw new ImportError('This file is not a Burrow export: it is not valid JSON.');
  }
  if (!isObject(file) || file.format !== EXPORT_FORMAT) {
    throw new ImportError('This file is not a Burrow export.');
  }
  if (file.version !== EXPORT_VERSION) {
    throw new ImportError(`This Burrow export has version ${String(file.version)}; this app reads version 1.`);
  }
  const tables = EXPORT_TABLES.map((table) => [table, readRecords(file, table)] as const);
  const ids = new Set(tables.flatMap(([, records]) => records.map((record) => record.id)));
  const paths = collectionPaths(tables[0][1]);
  const records: PlannedRecord[] = [];
  const existingIds: string[] = [];
  const matched = new Map<string, string>();
  const seenUrls = new Map<string, string>();
  let skipped = 0;
  for (const [table, items] of tables) {
    for (const item of table === 'collections' ? orderCollections(items) : items) {
      const fields = pruneReferences(table, item.fields, ids);
      if (table === 'collections') {
        const existing = workspace.collectionsByPath.get(collectionPathKey(paths.get(item.id) ?? []));
        if (existing) {
          matched.set(item.id, existing);
          existingIds.push(existing);
          continue;
        }
      }
      if (table === 'cards' && typeof fields.url === 'string') {
        const url = normalizeUrl(fields.url);
        const existing = url ? (workspace.urls.get(url) ?? seenUrls.get(url)) : undefined;
        if (existing) {
          // Todos and events of the file that point at this card point at the one matched.
          matched.set(item.id, existing);
          if (!seenUrls.has(url as string)) existingIds.push(existing);
          skipped++;
          continue;
        }
        if (url) {
          seenUrls.set(url, item.id);
          fields.url = url;
        }
      }
      const note = table === 'cards' && fields.kind === 'note' ? workspace.notes.get(noteKey(fields)) : undefined;
      if (note) {
        matched.set(item.id, note);
        existingIds.push(note);
        skipped++;
        continue;
      }
      const pointed = pointAtMatches(table, fields, matched);
      if ((table === 'todos' || table === 'events') && workspace.entries.has(entryKey(table, pointed))) {
        skipped++;
        continue;
      }
      records.push({ key: item.id, table, fields: pointed });
    }
  }
  const plan = { records, skipped, existingIds };
  validatePlan(
    plan,
    (record) =>
      `${record.table} “${String(record.fields.title ?? record.fields.name ?? record.fields.text ?? record.key).slice(0, 60)}”`,
  );
  return plan;
}
