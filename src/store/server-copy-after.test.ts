import { describe, expect, it } from 'vitest';
import type { MutationResult, RecordStamp } from '../../protocol/index.ts';
import { serverCopyAfter } from './server-copy-after.ts';
import type { NewOutboxEntry, ServerCopy } from './types.ts';

const BEFORE = '2026-01-01T00:00:00.000Z';
const AFTER = '2026-01-02T00:00:00.000Z';
const base = { seq: 7, id: 'mutation' };

function copy(version: number, fields: Record<string, unknown>, deleted = false): ServerCopy {
  return { version, seq: 10 * version, deleted, createdAt: BEFORE, updatedAt: BEFORE, fields };
}

function stamp(version: number, deleted = false): RecordStamp {
  return { version, seq: 10 * version, deleted, updatedAt: AFTER };
}

function entry(op: NewOutboxEntry['op'], fields?: Record<string, unknown>): Pick<NewOutboxEntry, 'op' | 'fields'> {
  return { op, fields };
}

const applied = (fromVersion: number, version: number, deleted = false): MutationResult => ({
  ...base,
  status: 'applied',
  fromVersion,
  stamp: stamp(version, deleted),
});

describe('serverCopyAfter', () => {
  describe('derived: the copy the result started from, plus what was sent', () => {
    it('a create: what it sent, at version 1, created when it was stored', () => {
      expect(serverCopyAfter(null, entry('create', { title: 'A', note: null }), applied(0, 1))).toEqual({
        kind: 'derived',
        seq: 10,
        copy: {
          version: 1,
          seq: 10,
          deleted: false,
          createdAt: AFTER,
          updatedAt: AFTER,
          fields: { title: 'A', note: null },
        },
      });
    });

    it('an update: the copy with the sent fields, keeping its creation time', () => {
      const after = serverCopyAfter(copy(2, { title: 'A', body: 'b' }), entry('update', { title: 'B' }), applied(2, 3));
      expect(after).toEqual({
        kind: 'derived',
        seq: 30,
        copy: {
          version: 3,
          seq: 30,
          deleted: false,
          createdAt: BEFORE,
          updatedAt: AFTER,
          fields: { title: 'B', body: 'b' },
        },
      });
    });

    it('takes a sent field as the server does: null for a field never written is stored (absent and null differ)', () => {
      const after = serverCopyAfter(
        copy(1, { title: 'A' }),
        entry('update', { title: 'B', note: null }),
        applied(1, 2),
      );
      expect(after).toMatchObject({ kind: 'derived', copy: { fields: { title: 'B', note: null } } });
      expect(Object.keys(after.kind === 'derived' ? after.copy.fields : {})).toEqual(['title', 'note']);
    });

    it('a field-conflict: the fields that did not conflict', () => {
      const result: MutationResult = {
        ...base,
        status: 'conflict',
        code: 'field-conflict',
        conflicts: [{ field: 'title', server: 'Theirs' }],
        fromVersion: 2,
        stamp: stamp(3),
      };
      const current = copy(2, { title: 'Theirs', pinned: false });
      expect(serverCopyAfter(current, entry('update', { title: 'Mine', pinned: true }), result)).toMatchObject({
        kind: 'derived',
        copy: { version: 3, fields: { title: 'Theirs', pinned: true } },
      });
    });

    it('a delete and a restore: the fields as they were, deleted as the stamp says', () => {
      expect(serverCopyAfter(copy(1, { title: 'A' }), entry('delete'), applied(1, 2, true))).toMatchObject({
        kind: 'derived',
        copy: { version: 2, deleted: true, fields: { title: 'A' } },
      });
      const restored = serverCopyAfter(copy(2, { title: 'A' }, true), entry('restore', { title: 'B' }), applied(2, 3));
      expect(restored).toMatchObject({ kind: 'derived', copy: { version: 3, deleted: false, fields: { title: 'B' } } });
    });

    it('a resent create answered duplicate at version 1 with nothing kept: that create', () => {
      const result: MutationResult = { ...base, status: 'duplicate', stamp: stamp(1) };
      expect(serverCopyAfter(null, entry('create', { title: 'A' }), result)).toMatchObject({
        kind: 'derived',
        copy: { version: 1, fields: { title: 'A' } },
      });
    });
  });

  describe('held: this store has that version or a newer one', () => {
    it('counts the change as held and takes nothing', () => {
      expect(serverCopyAfter(copy(3, {}), entry('update', { title: 'B' }), applied(1, 2))).toEqual({
        kind: 'held',
        seq: 20,
      });
    });

    it('a conflict that applied nothing, against the version held', () => {
      const result: MutationResult = {
        ...base,
        status: 'conflict',
        code: 'deleted',
        fromVersion: 2,
        stamp: stamp(2, true),
      };
      expect(serverCopyAfter(copy(2, {}, true), entry('update', { title: 'B' }), result).kind).toBe('held');
    });
  });

  describe('provisional: someone else wrote in between', () => {
    it('keeps the version and lays what the server took over the copy, for the pull to replace', () => {
      const current = copy(1, { title: 'A', body: 'b' });
      expect(serverCopyAfter(current, entry('update', { title: 'B' }), applied(2, 3))).toEqual({
        kind: 'provisional',
        copy: { ...current, fields: { title: 'B', body: 'b' } },
      });
    });

    it('a resent update answered duplicate, its first answer applied', () => {
      const result: MutationResult = { ...base, status: 'duplicate', stamp: stamp(3) };
      expect(serverCopyAfter(copy(1, {}), entry('update', { title: 'B' }), result)).toMatchObject({
        kind: 'provisional',
        copy: { version: 1, fields: { title: 'B' } },
      });
    });

    it('a delete marks the copy deleted', () => {
      expect(serverCopyAfter(copy(1, { title: 'A' }), entry('delete'), applied(2, 3, true))).toMatchObject({
        kind: 'provisional',
        copy: { version: 1, deleted: true },
      });
    });
  });

  describe('unknown: nothing to take', () => {
    it('a rejection, or a duplicate whose first answer was one', () => {
      const error = { type: 't', title: 't', status: 404, detail: 'd', code: 'not-found' as const };
      expect(serverCopyAfter(copy(1, {}), entry('update', {}), { ...base, status: 'rejected', error }).kind).toBe(
        'unknown',
      );
      const duplicate: MutationResult = {
        ...base,
        status: 'duplicate',
        stamp: stamp(3),
        original: { status: 'rejected', error },
      };
      expect(serverCopyAfter(copy(1, {}), entry('update', { title: 'B' }), duplicate).kind).toBe('unknown');
    });

    it('a conflict that took nothing of a record this store does not have at that version', () => {
      const result: MutationResult = { ...base, status: 'conflict', code: 'exists', fromVersion: 4, stamp: stamp(4) };
      expect(serverCopyAfter(null, entry('create', { title: 'Mine' }), result).kind).toBe('unknown');
    });

    it('duplicate-url (no stamp) and a duplicate of a record no longer readable', () => {
      const url: MutationResult = { ...base, status: 'conflict', code: 'duplicate-url', existingId: 'other' };
      expect(serverCopyAfter(null, entry('create', { title: 'Mine' }), url).kind).toBe('unknown');
      expect(serverCopyAfter(copy(1, {}), entry('update', {}), { ...base, status: 'duplicate' }).kind).toBe('unknown');
    });
  });

  it('never-stored: the delete of an id the server does not have', () => {
    expect(serverCopyAfter(copy(2, {}), entry('delete'), applied(0, 0, true))).toEqual({
      kind: 'never-stored',
      updatedAt: AFTER,
    });
  });
});
