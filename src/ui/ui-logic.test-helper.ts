/** Builders of RecordViews for unit tests of the UI's pure logic. */
import { newId, type TableName } from '../../protocol/index.ts';
import type { RecordView } from '../api/client.ts';

let clock = Date.UTC(2026, 0, 1);

/** A live record of `table` with `fields`; ids are UUIDv7 one second apart, in creation order. */
export function recordOf(
  table: TableName,
  fields: Record<string, unknown>,
  extra: Partial<RecordView> = {},
): RecordView {
  clock += 1000;
  return {
    id: newId(clock),
    table,
    workspaceId: 'w',
    version: 1,
    deleted: false,
    fields,
    pending: false,
    conflict: false,
    ...extra,
  };
}

/** A card with sensible defaults. */
export function cardOf(fields: Record<string, unknown>, extra: Partial<RecordView> = {}): RecordView {
  return recordOf(
    'cards',
    { kind: 'note', title: '', content: '', tags: [], collectionIds: [], pinned: false, ...fields },
    extra,
  );
}
