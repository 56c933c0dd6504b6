import { describe, expect, it } from 'vitest';
import type { RecordRef, SyncStatus } from '../api/client.ts';
import { INITIAL_STATUS } from '../sync/sync-status.ts';
import { describeArrivals, describeProblem, statusLabel, statusTone } from './sync-words.ts';

const base: SyncStatus = { ...INITIAL_STATUS, state: 'synced' };

describe('statusLabel', () => {
  it.each([
    [{ state: 'local-only' }, 'Saved locally'],
    [{ state: 'syncing' }, 'Syncing…'],
    [{ state: 'synced' }, 'Synced'],
    [{ state: 'offline', pending: 3 }, 'Offline — 3 pending'],
    [{ state: 'error' }, 'Sync error'],
    [{ state: 'unreachable' }, "Can't reach Burrow"],
  ] as [Partial<SyncStatus>, string][])('%o reads %s', (status, label) => {
    expect(statusLabel({ ...base, ...status })).toBe(label);
  });

  it('asks for attention when something failed or conflicts', () => {
    expect(statusTone({ ...base, conflicts: 1 })).toBe('warn');
    expect(statusTone(base)).toBe('ok');
  });
});

describe('describeProblem', () => {
  it('names the field that was refused', () => {
    const problem = {
      type: '',
      title: 'Invalid',
      status: 422,
      detail: '',
      code: 'invalid-field' as const,
      errors: [{ pointer: '/mutations/0/fields/title', detail: 'must be at most 500 characters' }],
    };
    expect(describeProblem(problem)).toBe('Title must be at most 500 characters.');
  });
});

describe('describeArrivals', () => {
  const refs = (table: RecordRef['table'], count: number): RecordRef[] =>
    Array.from({ length: count }, (_, index) => ({ table, id: `${table}-${index}` }));

  it('counts what arrived, by kind', () => {
    expect(describeArrivals(refs('cards', 3))).toBe('3 cards updated on another device');
    expect(describeArrivals(refs('cards', 1))).toBe('1 card updated on another device');
    expect(describeArrivals([...refs('todos', 2), ...refs('cards', 1), ...refs('events', 1)])).toBe(
      '1 card, 2 todos and 1 event updated on another device',
    );
  });

  it('says nothing for view settings alone', () => {
    expect(describeArrivals(refs('viewSettings', 2))).toBeNull();
  });
});
