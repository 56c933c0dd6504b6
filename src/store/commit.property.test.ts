import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { openLocalStore } from './open-local-store.ts';
import { rebase } from './rebase.ts';
import { openLocalDatabase, STORES } from './schema.ts';
import { noteFields, uniqueDatabaseName } from './store-fixtures.test-helper.ts';
import type { LocalStore } from './types.ts';

const workspaceId = newId();

type Step =
  | { kind: 'create' }
  | { kind: 'update'; target: number; title: string; pinned: boolean }
  | { kind: 'delete'; target: number }
  | { kind: 'restore'; target: number }
  | { kind: 'send' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'create' }),
  fc.record({
    kind: fc.constant('update' as const),
    target: fc.nat(4),
    title: fc.constantFrom('a', 'b', 'c'),
    pinned: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), target: fc.nat(4) }),
  fc.record({ kind: fc.constant('restore' as const), target: fc.nat(4) }),
  fc.constant<Step>({ kind: 'send' }),
);

async function run(store: LocalStore, ids: string[], next: Step): Promise<void> {
  const id = 'target' in next ? ids[next.target % Math.max(ids.length, 1)] : undefined;
  switch (next.kind) {
    case 'create':
      ids.push((await store.commit({ op: 'create', table: 'cards', workspaceId, fields: noteFields() })).id);
      return;
    case 'send':
      await store.nextBatch(3, 1_000_000);
      return;
    case 'update':
      if (!id || (await store.get('cards', id))?.deleted) return;
      await store.commit({ op: 'update', table: 'cards', id, fields: { title: next.title, pinned: next.pinned } });
      return;
    case 'delete':
    case 'restore':
      if (id) await store.commit({ op: next.kind, table: 'cards', id });
  }
}

describe('commit (property)', () => {
  it('keeps every record equal to the rebase of its pending entries, with gap-free keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        const name = uniqueDatabaseName();
        const store = await openLocalStore(name);
        const db = await openLocalDatabase(name);
        try {
          const ids: string[] = [];
          for (const next of steps) await run(store, ids, next);
          const [records, entries] = await Promise.all([db.getAll(STORES.records), db.getAll(STORES.outbox)]);
          expect(entries.map((entry) => entry.key)).toEqual(entries.map((_, index) => index + 1));
          for (const record of records) {
            const pending = entries.filter((entry) => entry.recordId === record.id);
            expect(record.pending).toBe(pending.length);
            expect({ fields: record.fields, deleted: record.deleted }).toEqual(rebase(null, [], pending));
          }
        } finally {
          db.close();
          store.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
