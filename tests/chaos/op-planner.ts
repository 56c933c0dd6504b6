/** Chooses the next operation of a client: which kind, on which table and record, with which fields. */
import type { TableName } from '../../protocol/index.ts';
import { createFields, type FieldContext, type GeneratedFields, updateFields } from './field-values.ts';
import type { KnownRecord, Ledger } from './ledger.ts';
import type { Prng } from './prng.ts';

/**
 * What a client is asked to do. `delete`/`restore` flip to the other when the record is already
 * so; `purge` deletes for good (never a workspace, which cannot be purged).
 */
export type PlannedOp =
  | ({ kind: 'create'; table: TableName; workspaceId: string } & GeneratedFields)
  | ({ kind: 'update'; table: TableName; recordId: string; workspaceId: string } & GeneratedFields)
  | { kind: 'delete' | 'restore'; table: TableName; recordId: string; workspaceId: string }
  | { kind: 'purge'; table: TableName; recordId: string; workspaceId: string };

const TABLE_WEIGHTS: Record<TableName, number> = {
  cards: 30,
  todos: 18,
  events: 14,
  collections: 14,
  viewSettings: 12,
  workspaces: 6,
};

// Purges are few: each ends its record for the rest of the run, and most ops land on hot records.
const KIND_WEIGHTS = { create: 22, update: 58, delete: 10, restore: 10, purge: 3 } as const;

/** How many of a table's newest records are "hot": most edits land there, so clients collide. */
const HOT_SET = 8;

export interface PlanOptions {
  /** Limit the kinds (a tab closed mid-commit only does creates and updates). */
  kinds?: readonly PlannedOp['kind'][];
}

/** Plans one operation; a create when the table has no record yet. */
export function planOp(
  rng: Prng,
  ledger: Ledger,
  workspaceIds: readonly string[],
  options: PlanOptions = {},
): PlannedOp {
  const table = rng.weighted(TABLE_WEIGHTS);
  const allowed = (options.kinds ?? (['create', 'update', 'delete', 'restore', 'purge'] as const)).filter(
    (kind) => kind !== 'purge' || table !== 'workspaces',
  );
  const weights = Object.fromEntries(allowed.map((kind) => [kind, KIND_WEIGHTS[kind]])) as Record<
    PlannedOp['kind'],
    number
  >;
  const kind = rng.weighted(weights);
  const candidates = ledger.recordsOf(table);
  const token = ledger.nextToken(table);
  const context = fieldContext(ledger);
  if (kind === 'create' || candidates.length === 0) {
    const workspaceId = rng.pick(workspaceIds);
    return { kind: 'create', table, workspaceId, ...createFields(table, token, rng, context) };
  }
  const target = pickTarget(rng, candidates);
  if (kind === 'update') {
    return {
      kind,
      table,
      recordId: target.id,
      workspaceId: target.workspaceId,
      ...updateFields(table, token, rng, context),
    };
  }
  return { kind, table, recordId: target.id, workspaceId: target.workspaceId };
}

function pickTarget(rng: Prng, candidates: readonly KnownRecord[]): KnownRecord {
  const hot = candidates.slice(-HOT_SET);
  return rng.chance(0.75) ? rng.pick(hot) : rng.pick(candidates);
}

function fieldContext(ledger: Ledger): FieldContext {
  return {
    collectionIds: ledger.recordsOf('collections').map((record) => record.id),
    cardIds: ledger.recordsOf('cards').map((record) => record.id),
    linkUrls: ledger
      .recordsOf('cards')
      .map((record) => record.url)
      .filter((url): url is string => url !== undefined),
  };
}
