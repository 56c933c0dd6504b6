import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planBookmarksImport } from './bookmarks-import.ts';
import { exportWorkspace, planBurrowJsonImport } from './burrow-json.ts';
import { ImportError } from './import-error.ts';
import { commitImportPlan, countPlan } from './import-plan.ts';
import { createRecordingClient } from './recording-client.test-helper.ts';
import { emptyWorkspaceIndex, readWorkspaceIndex } from './workspace-index.ts';

const fixture = readFileSync(new URL('../../tests/app/fixtures/bookmarks.html', import.meta.url), 'utf8');

/** A workspace with nested collections, cards, a todo on a card and an event. */
async function seededClient() {
  const client = createRecordingClient();
  await commitImportPlan(client, planBookmarksImport(fixture), 'a');
  const card = client.created.find((record) => record.table === 'cards')!;
  await client.create(
    'todos',
    { text: 'Read it', done: false, due: '2026-03-01', cardId: card.id, position: 1 },
    { workspaceId: 'a' },
  );
  await client.create('events', { title: 'Talk', date: '2026-03-02', start: '10:00' }, { workspaceId: 'a' });
  return client;
}

/** The workspace's records with ids replaced by stable names, to compare two workspaces. */
async function snapshot(client: ReturnType<typeof createRecordingClient>, workspaceId: string) {
  const exported = await exportWorkspace(client, { id: workspaceId, name: 'W' }, new Date(0));
  const names = new Map<string, string>();
  for (const record of [...exported.collections, ...exported.cards]) {
    names.set(record.id, String(record.fields.name ?? record.fields.url));
  }
  const rename = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(rename).sort() : typeof value === 'string' ? (names.get(value) ?? value) : value;
  const plain = (records: { fields: Record<string, unknown> }[]) =>
    records
      .map((record) => Object.fromEntries(Object.entries(record.fields).map(([key, value]) => [key, rename(value)])))
      .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  return {
    collections: plain(exported.collections),
    cards: plain(exported.cards),
    todos: plain(exported.todos),
    events: plain(exported.events),
  };
}

describe('Burrow JSON', () => {
  describe('round trip', () => {
    it('imports an export into another workspace with the same content and links', async () => {
      const client = await seededClient();
      const exported = await exportWorkspace(client, { id: 'a', name: 'A' });
      await commitImportPlan(client, planBurrowJsonImport(JSON.stringify(exported)), 'b');
      expect(await snapshot(client, 'b')).toEqual(await snapshot(client, 'a'));
      const todo = client.created.find((record) => record.table === 'todos' && record.workspaceId === 'b')!;
      const linked = client.created.find((record) => record.id === todo.fields.cardId)!;
      expect(linked.workspaceId).toBe('b');
    });

    it('adds nothing when the same export is imported twice', async () => {
      const client = await seededClient();
      const text = JSON.stringify(await exportWorkspace(client, { id: 'a', name: 'A' }));
      await commitImportPlan(client, planBurrowJsonImport(text), 'b');
      const before = client.created.length;
      const again = planBurrowJsonImport(text, await readWorkspaceIndex(client, 'b'));
      expect(countPlan(again)).toEqual({ collections: 0, cards: 0, todos: 0, events: 0, skipped: 9 });
      await commitImportPlan(client, again, 'b');
      expect(client.created.length).toBe(before);
    });

    it('leaves deleted records out of the export', async () => {
      const client = await seededClient();
      client.created[0].deleted = true;
      const exported = await exportWorkspace(client, { id: 'a', name: 'A' });
      expect(exported.collections).toHaveLength(3);
    });
  });

  describe('bad files', () => {
    const valid = { format: 'burrow-export', version: 1, exportedAt: '', workspace: { id: 'x', name: 'x' } };
    const card = { kind: 'note', title: 'T', content: '', tags: [], collectionIds: [], pinned: false };
    const cases: [string, string, RegExp][] = [
      ['not JSON', '{oops', /not valid JSON/],
      ['another JSON file', '{"name":"package"}', /not a Burrow export/],
      ['a newer version', JSON.stringify({ ...valid, version: 2 }), /version 2/],
      ['a table that is not a list', JSON.stringify({ ...valid, cards: {} }), /“cards” is not a list/],
      ['an item without id', JSON.stringify({ ...valid, cards: [{ fields: card }] }), /cards item 1/],
      [
        'an invalid field',
        JSON.stringify({
          ...valid,
          cards: [{ id: '01900000-0000-7000-8000-000000000001', fields: { ...card, url: 'javascript:x' } }],
        }),
        /cards “T”: url must be an http\(s\) URL/,
      ],
      [
        'collections nested in a loop',
        JSON.stringify({
          ...valid,
          collections: [
            {
              id: '01900000-0000-7000-8000-000000000001',
              fields: { name: 'A', position: 0, parentId: '01900000-0000-7000-8000-000000000002' },
            },
            {
              id: '01900000-0000-7000-8000-000000000002',
              fields: { name: 'B', position: 0, parentId: '01900000-0000-7000-8000-000000000001' },
            },
          ],
        }),
        /loop/,
      ],
    ];

    it.each(cases)('refuses %s with a clear message', (_name, text, message) => {
      expect(() => planBurrowJsonImport(text)).toThrow(ImportError);
      expect(() => planBurrowJsonImport(text)).toThrow(message);
    });

    it('skips cards whose link the workspace already has', () => {
      const text = JSON.stringify({
        ...valid,
        cards: [
          { id: '01900000-0000-7000-8000-000000000001', fields: { ...card, kind: 'link', url: 'https://a.example/' } },
        ],
      });
      expect(
        countPlan(
          planBurrowJsonImport(text, {
            ...emptyWorkspaceIndex(),
            urls: new Map([['https://a.example/', '01900000-0000-7000-8000-00000000000a']]),
          }),
        ),
      ).toMatchObject({
        cards: 0,
        skipped: 1,
      });
    });
  });
});
