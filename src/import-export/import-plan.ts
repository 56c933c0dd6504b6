/** An import as a validated plan of records, committed only once the whole file has passed. */
import { validateFields } from '../../protocol/index.ts';
import type { BurrowClient } from '../api/client.ts';
import { ImportError } from './import-error.ts';

/** The tables an import writes. Workspaces and view settings are never imported. */
export type ImportTable = 'collections' | 'cards' | 'todos' | 'events';

/**
 * One record to create. `key` stands for the record inside the plan (a UUID, so the fields
 * validate as they are); references between planned records use keys and are swapped for the
 * created ids at commit.
 */
export interface PlannedRecord {
  key: string;
  table: ImportTable;
  fields: Record<string, unknown>;
}

/** Records in dependency order (a parent before its children, collections before cards). */
export interface ImportPlan {
  records: PlannedRecord[];
  /** Items left out: not a web link, or already in the workspace. */
  skipped: number;
  /**
   * Records already in the workspace that planned records refer to (a folder matched by its
   * path): their ids stand for themselves at commit.
   */
  existingIds?: string[];
}

export type ImportCounts = Record<ImportTable, number> & { skipped: number };

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Text cut to `max` characters (code points) without control characters. */
export function cleanField(text: string, max: number): string {
  const clean = text.replace(CONTROL_CHARACTERS, '');
  return clean.length <= max ? clean : Array.from(clean).slice(0, max).join('');
}

/**
 * Throws an ImportError naming the first problems if any record of the plan is invalid, so
 * a bad file changes nothing.
 */
export function validatePlan(plan: ImportPlan, describe: (record: PlannedRecord) => string): void {
  const problems: string[] = [];
  for (const record of plan.records) {
    for (const error of validateFields(record.table, record.fields, 'create')) {
      problems.push(`${describe(record)}: ${error.pointer.slice(1) || 'record'} ${error.detail}`);
    }
  }
  if (problems.length === 0) return;
  const shown = problems.slice(0, 3).join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  throw new ImportError(`Nothing was imported: ${shown}${more}.`);
}

/** Counts of what the plan creates, per table. */
export function countPlan(plan: ImportPlan): ImportCounts {
  const counts: ImportCounts = { collections: 0, cards: 0, todos: 0, events: 0, skipped: plan.skipped };
  for (const record of plan.records) counts[record.table]++;
  return counts;
}

function resolveReferences(record: PlannedRecord, ids: Map<string, string>): Record<string, unknown> {
  const fields = { ...record.fields };
  const resolve = (key: unknown) => (typeof key === 'string' ? (ids.get(key) ?? null) : null);
  if (record.table === 'collections' && fields.parentId) fields.parentId = resolve(fields.parentId);
  if (record.table === 'cards') {
    fields.collectionIds = (fields.collectionIds as string[]).map(resolve).filter((id) => id !== null);
  }
  if ((record.table === 'todos' || record.table === 'events') && fields.cardId) fields.cardId = resolve(fields.cardId);
  return fields;
}

export interface CommitOptions {
  /** Records per chunk, each created in one local transaction; `afterChunk` runs after each. */
  chunk?: number;
  /** `created`: records in the chunk; `workspaceId`: where they went (a placeholder becomes real). */
  afterChunk?(created: number, workspaceId: string): Promise<void> | void;
}

/** The plan keys a record refers to. */
function referencesOf(record: PlannedRecord): unknown[] {
  const { fields } = record;
  if (record.table === 'collections') return [fields.parentId];
  if (record.table === 'cards') return (fields.collectionIds as unknown[] | undefined) ?? [];
  return [fields.cardId];
}

/**
 * Creates every planned record in `workspaceId` (none: the client's default), in order, in
 * chunks of one transaction each; references point to the new ids. A record that refers to
 * one in the chunk being gathered starts the next chunk, as ids exist only once created.
 */
export async function commitImportPlan(
  client: Pick<BurrowClient, 'createAll'>,
  plan: ImportPlan,
  workspaceId: string | undefined,
  options: CommitOptions = {},
): Promise<ImportCounts> {
  const ids = new Map<string, string>((plan.existingIds ?? []).map((id) => [id, id]));
  const size = options.chunk ?? 500;
  let target = workspaceId;
  let gathering: PlannedRecord[] = [];
  const gatheredKeys = new Set<string>();
  const flush = async () => {
    if (gathering.length === 0) return;
    const records = gathering.map((record) => ({ table: record.table, fields: resolveReferences(record, ids) }));
    const created = await client.createAll(records, { workspaceId: target });
    gathering.forEach((record, index) => {
      ids.set(record.key, created[index].id);
    });
    // The first create into a placeholder workspace stores a real one: the rest follow it.
    target = created[0].workspaceId;
    const count = gathering.length;
    gathering = [];
    gatheredKeys.clear();
    await options.afterChunk?.(count, target);
  };
  for (const record of plan.records) {
    if (referencesOf(record).some((key) => typeof key === 'string' && gatheredKeys.has(key))) await flush();
    gathering.push(record);
    gatheredKeys.add(record.key);
    if (gathering.length >= size) await flush();
  }
  await flush();
  return countPlan(plan);
}
