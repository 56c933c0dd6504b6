/** Fixtures for the local store's unit tests: database names, records, envelopes, responses. */
import {
  type Envelope,
  type MutationResult,
  newId,
  PROTOCOL_VERSION,
  type PullResponse,
  type PushResponse,
  type TableName,
} from '../../protocol/index.ts';
import { setMeta } from './meta.ts';
import { openLocalStore } from './open-local-store.ts';
import { openLocalDatabase } from './schema.ts';
import type { LocalStore, MetaKey } from './types.ts';

let databases = 0;

/** A database name no other test uses. */
export function uniqueDatabaseName(): string {
  databases += 1;
  return `test-${databases}-${newId()}`;
}

/** The fields of a valid note card. */
export function noteFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'note', title: 'A note', content: '', tags: [], collectionIds: [], pinned: false, ...overrides };
}

/** A server envelope of a card (or of `table`). */
export function envelope(partial: Partial<Envelope> & { id: string; workspaceId: string }): Envelope {
  return {
    table: 'cards' as TableName,
    version: 1,
    seq: 1,
    deleted: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fields: noteFields(),
    ...partial,
  };
}

export function pushResponse(results: MutationResult[], lastSeq = 0): PushResponse {
  return { protocol: PROTOCOL_VERSION, lastSeq, cursor: 0, results };
}

export function pullPage(changes: Envelope[], cursor: number, hasMore = false): PullResponse {
  return { protocol: PROTOCOL_VERSION, changes, cursor, hasMore, horizon: 0 };
}

/** Writes a meta value straight into a store's database (the store has no way to, by design). */
export async function writeMetaOf(name: string, key: MetaKey, value: unknown): Promise<void> {
  const db = await openLocalDatabase(name);
  await setMeta(db, key, value);
  db.close();
}

/** Opens stores on fresh databases and closes them all in teardown. */
export function storeOpener() {
  const opened: LocalStore[] = [];
  return {
    async open(name: string = uniqueDatabaseName()): Promise<LocalStore> {
      const store = await openLocalStore(name);
      opened.push(store);
      return store;
    },
    closeAll(): void {
      for (const store of opened.splice(0)) store.close();
    },
  };
}
