/** A minimal in-memory stand-in for the client's create/list, for unit tests of import logic. */
import { newId, type TableName } from '../../protocol/index.ts';
import type { RecordView } from '../api/client.ts';

export interface RecordingClient {
  created: RecordView[];
  create(table: TableName, fields: Record<string, unknown>, options?: { workspaceId?: string }): Promise<RecordView>;
  list(table: TableName, options?: { workspaceId?: string }): Promise<RecordView[]>;
}

/** Records every create; lists what was created, by table and workspace. */
export function createRecordingClient(): RecordingClient {
  const created: RecordView[] = [];
  return {
    created,
    async create(table, fields, options) {
      const record: RecordView = {
        id: newId(),
        table,
        workspaceId: options?.workspaceId ?? 'default',
        version: 0,
        deleted: false,
        fields: structuredClone(fields),
        pending: true,
        conflict: false,
      };
      created.push(record);
      return record;
    },
    async list(table, options) {
      return created.filter(
        (record) => record.table === table && (!options?.workspaceId || record.workspaceId === options.workspaceId),
      );
    },
  };
}
