import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planBookmarksImport } from './bookmarks-import.ts';
import { commitImportPlan, countPlan } from './import-plan.ts';
import { createRecordingClient } from './recording-client.test-helper.ts';

const fixture = readFileSync(new URL('../../tests/app/fixtures/bookmarks.html', import.meta.url), 'utf8');

describe('planBookmarksImport', () => {
  it('plans a collection per folder and a card per distinct http(s) link', () => {
    const plan = planBookmarksImport(fixture);
    expect(countPlan(plan)).toEqual({ collections: 4, cards: 7, todos: 0, events: 0, skipped: 2 });
  });

  it('files a link found in two folders into both collections', () => {
    const plan = planBookmarksImport(fixture);
    const cookbook = plan.records.find((record) => record.fields.url === 'https://web.dev/articles/offline-cookbook');
    expect(cookbook?.fields.collectionIds).toHaveLength(2);
  });

  it('skips links the workspace already has', () => {
    const plan = planBookmarksImport(fixture, { existingUrls: new Set(['https://preactjs.com/']) });
    expect(countPlan(plan)).toMatchObject({ cards: 6, skipped: 3 });
  });
});

describe('commitImportPlan', () => {
  it('creates parents before children and points cards at the created collections', async () => {
    const client = createRecordingClient();
    await commitImportPlan(client, planBookmarksImport(fixture), 'ws');
    const collections = client.created.filter((record) => record.table === 'collections');
    const byName = new Map(collections.map((record) => [record.fields.name, record]));
    const deep = byName.get('Deep "nested" folder')!;
    const reading = byName.get('Reading')!;
    expect(deep.fields.parentId).toBe(reading.id);
    expect(byName.get('Bookmarks bar')!.fields.parentId).toBeNull();
    const wal = client.created.find((record) => record.fields.url === 'https://sqlite.org/wal.html')!;
    expect(wal.fields.collectionIds).toEqual([deep.id]);
    expect(client.created.every((record) => record.workspaceId === 'ws')).toBe(true);
  });
});
