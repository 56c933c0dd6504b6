/** A minimal in-memory stand-in for the client's create/list, for unit tests of import logic. */
import { newId, type TableName } from '../../protocol/index.ts';
import type { Account, RecordView } from '../api/client.ts';

export interface RecordingClient {
  created: RecordView[];
  create(table: TableName, fields: Record<string, unknown>, options?: { workspaceId?: string }): Promise<RecordView>;
  createAll(
    records: { table: TableName; fields: Record<string, unknown> }[],
    options?: { workspaceId?: string },
  ): Promise<RecordView[]>;
  list(table: TableName, options?: { workspaceId?: string }): Promise<RecordView[]>;
  workspaces(): Promise<RecordView[]>;
  account(): Account | null;
}

/** Records every create; lists what was created, by table and workspace; `workspaceIds` exist. */
export function createRecordingClient(workspaceIds: string[] = ['ws']): RecordingClient {
  const created: RecordView[] = [];
  const view = (table: TableName, workspaceId: string, fields: Record<string, unknown>): RecordView => ({
    id: table === 'workspaces' ? workspaceId : newId(),
    table,
    workspaceId,
    version: 0,
    deleted: false,
    fields: structuredClone(fields),
    pending: true,
    conflict: false,
  });
  return {
    created,
    async create(table, fields, options) {
      const record = view(table, options?.workspaceId ?? workspaceIds[0] ?? 'default', fields);
      created.push(record);
      return record;
    },
    async createAll(records, options) {
      const views = records.map(({ table, fields }) =>
        view(table, options?.workspaceId ?? workspaceIds[0] ?? 'default', fields),
      );
      created.push(...views);
      return views;
    },
    async list(table, options) {
      return created.filter(
        (record) => record.table === table && (!options?.workspaceId || record.workspaceId === options.workspaceId),
      );
    },
    async workspaces() {
      return workspaceIds.map((id) => view('workspaces', id, { name: id }));
    },
    account: () => null,
  };
}
