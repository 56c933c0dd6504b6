import { describe, expect, it } from 'vitest';
import { type ConflictOverlay, type PendingChange, rebase, type VisibleState } from './rebase.ts';

const server = { fields: { title: 'server', content: 'body', pinned: false }, deleted: false };
const tombstone = { fields: { title: 'server', content: 'body', pinned: false }, deleted: true };

interface Case {
  name: string;
  server: { fields: Record<string, unknown>; deleted: boolean } | null;
  overlays?: ConflictOverlay[];
  pending?: PendingChange[];
  expected: VisibleState;
}

const cases: Case[] = [
  { name: 'server copy alone', server, expected: server },
  { name: 'nothing at all', server: null, expected: { fields: {}, deleted: false } },
  {
    name: 'pending create on no server copy',
    server: null,
    pending: [{ op: 'create', fields: { title: 'mine' } }],
    expected: { fields: { title: 'mine' }, deleted: false },
  },
  {
    name: 'update merges into the server copy',
    server,
    pending: [{ op: 'update', fields: { title: 'mine' } }],
    expected: { fields: { title: 'mine', content: 'body', pinned: false }, deleted: false },
  },
  {
    name: 'updates apply in order, the later wins',
    server,
    pending: [
      { op: 'update', fields: { title: 'first', pinned: true } },
      { op: 'update', fields: { title: 'second' } },
    ],
    expected: { fields: { title: 'second', content: 'body', pinned: true }, deleted: false },
  },
  {
    name: 'delete marks deleted and keeps the fields',
    server,
    pending: [{ op: 'delete' }],
    expected: { fields: server.fields, deleted: true },
  },
  {
    name: 'restore brings a tombstone back with its fields',
    server: tombstone,
    pending: [{ op: 'restore', fields: { title: 'back' } }],
    expected: { fields: { title: 'back', content: 'body', pinned: false }, deleted: false },
  },
  {
    name: 'create then delete then restore',
    server: null,
    pending: [{ op: 'create', fields: { title: 'a' } }, { op: 'delete' }, { op: 'restore' }],
    expected: { fields: { title: 'a' }, deleted: false },
  },
  {
    name: 'field-conflict overlay keeps my values for the conflicting fields only',
    server,
    overlays: [
      {
        code: 'field-conflict',
        conflicts: [{ field: 'title', server: 'server', client: 'mine' }],
        mine: { title: 'mine', content: 'sent but not conflicting' },
      },
    ],
    expected: { fields: { title: 'mine', content: 'body', pinned: false }, deleted: false },
  },
  {
    name: 'pending edits apply on top of a conflict overlay',
    server,
    overlays: [{ code: 'field-conflict', conflicts: [{ field: 'title', server: 'server', client: 'mine' }], mine: {} }],
    pending: [{ op: 'update', fields: { title: 'later' } }],
    expected: { fields: { title: 'later', content: 'body', pinned: false }, deleted: false },
  },
  {
    name: 'deleted conflict shows the record alive with my values',
    server: tombstone,
    overlays: [{ code: 'deleted', conflicts: [], mine: { title: 'mine' } }],
    expected: { fields: { title: 'mine', content: 'body', pinned: false }, deleted: false },
  },
  {
    name: 'duplicate-url keeps my created record visible',
    server: null,
    overlays: [{ code: 'duplicate-url', conflicts: [], mine: { title: 'mine', url: 'https://a.example/' } }],
    expected: { fields: { title: 'mine', url: 'https://a.example/' }, deleted: false },
  },
  {
    name: 'exists keeps my values on top of theirs',
    server,
    overlays: [{ code: 'exists', conflicts: [], mine: { title: 'mine' } }],
    expected: { fields: { title: 'mine', content: 'body', pinned: false }, deleted: false },
  },
];

describe('rebase', () => {
  it.each(cases)('$name', ({ server: copy, overlays = [], pending = [], expected }) => {
    expect(rebase(copy, overlays, pending)).toEqual(expected);
  });

  it('never changes its inputs', () => {
    const copy = structuredClone(server);
    const change: PendingChange = { op: 'update', fields: { title: 'x' } };
    rebase(copy, [], [change]);
    expect(copy).toEqual(server);
    expect(change).toEqual({ op: 'update', fields: { title: 'x' } });
  });
});

describe('rebase shares what it can', () => {
  it('returns the server copy’s own fields object when nothing is on top, so a stored record holds them once', () => {
    const server = { fields: { title: 'A' }, deleted: false };
    expect(rebase(server, [], []).fields).toBe(server.fields);
    expect(rebase(server, [], [{ op: 'update', fields: { title: 'B' } }]).fields).not.toBe(server.fields);
    expect(server.fields).toEqual({ title: 'A' });
  });
});
