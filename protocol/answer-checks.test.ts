import { describe, expect, it } from 'vitest';
import { assertPullResponse, assertPushResponse, InvalidAnswerError } from './answer-checks.ts';
import type { Mutation, PushResponse } from './wire.ts';

const ID = '01900000-0000-7000-8000-000000000001';
const stamp = { version: 2, seq: 41, deleted: false, updatedAt: '2026-01-01T00:00:00.000Z' };
const problem = {
  type: '/docs/problems#not-found',
  title: 'Not found',
  status: 404,
  detail: 'x',
  code: 'not-found' as const,
};

function mutation(seq: number): Mutation {
  return {
    seq,
    id: `m${seq}`,
    table: 'cards',
    op: 'update',
    recordId: ID,
    workspaceId: ID,
    baseVersion: 1,
    clientTime: '',
  };
}

const sent = { mutations: [1, 2, 3, 4, 5].map(mutation) };

/** A valid answer to `sent`: one result of every kind. */
function answer(): PushResponse {
  return {
    protocol: 1,
    lastSeq: 5,
    cursor: 42,
    results: [
      { seq: 1, id: 'm1', status: 'applied', fromVersion: 1, stamp },
      {
        seq: 2,
        id: 'm2',
        status: 'duplicate',
        stamp,
        original: { status: 'conflict', code: 'field-conflict', conflicts: [{ field: 'title', omitted: true }] },
      },
      {
        seq: 3,
        id: 'm3',
        status: 'conflict',
        code: 'field-conflict',
        conflicts: [{ field: 'title', server: null }],
        fromVersion: 2,
        stamp,
      },
      { seq: 4, id: 'm4', status: 'conflict', code: 'duplicate-url', existingId: ID },
      {
        seq: 5,
        id: 'm5',
        status: 'rejected',
        error: { ...problem, errors: [{ pointer: '/mutations/4', detail: 'x' }] },
      },
    ],
  };
}

/** The message the check throws for `value`, or null when it passes. */
function refusal(check: () => void): string | null {
  try {
    check();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAnswerError);
    return (error as Error).message;
  }
}

describe('assertPushResponse', () => {
  it('passes an answer with one result of every kind', () => {
    expect(refusal(() => assertPushResponse(answer(), sent))).toBeNull();
  });

  it.each<[string, (body: PushResponse) => unknown, string]>([
    [
      'a result out of order',
      (b) => ({ ...b, results: [b.results[1], b.results[0], ...b.results.slice(2)] }),
      '/results/0/seq must be 1, the seq of the mutation it answers',
    ],
    [
      'a result for another mutation id',
      (b) => ({ ...b, results: [{ ...b.results[0], id: 'other' }, ...b.results.slice(1)] }),
      '/results/0/id must be m1, the id of the mutation it answers',
    ],
    [
      'a result missing',
      (b) => ({ ...b, results: b.results.slice(1) }),
      '/results must hold 5 results, one per mutation',
    ],
    [
      'an applied result without its stamp',
      (b) => ({ ...b, results: [{ seq: 1, id: 'm1', status: 'applied', fromVersion: 1 }, ...b.results.slice(1)] }),
      '/results/0/stamp must be an object',
    ],
    [
      'a stamp below where it started',
      (b) => ({ ...b, results: [{ ...b.results[0], fromVersion: 3 }, ...b.results.slice(1)] }),
      '/results/0/stamp/version must not be below fromVersion',
    ],
    [
      'an unknown status',
      (b) => ({ ...b, results: [{ ...b.results[0], status: 'maybe' }, ...b.results.slice(1)] }),
      '/results/0/status must be applied, duplicate, conflict or rejected',
    ],
    [
      'an unknown conflict code',
      (b) => ({ ...b, results: [...b.results.slice(0, 2), { ...b.results[2], code: 'other' }, ...b.results.slice(3)] }),
      '/results/2/code must be one of field-conflict, deleted, exists, duplicate-url',
    ],
    [
      'a conflicting field with neither value nor mark',
      (b) => ({
        ...b,
        results: [
          ...b.results.slice(0, 2),
          { ...b.results[2], conflicts: [{ field: 'title' }] },
          ...b.results.slice(3),
        ],
      }),
      '/results/2/conflicts/0 must hold server or omitted',
    ],
    [
      'duplicate-url without the existing card',
      (b) => ({
        ...b,
        results: [
          ...b.results.slice(0, 3),
          { seq: 4, id: 'm4', status: 'conflict', code: 'duplicate-url' },
          b.results[4],
        ],
      }),
      '/results/3/existingId must be a string',
    ],
    [
      'a rejection without a problem',
      (b) => ({ ...b, results: [...b.results.slice(0, 4), { seq: 5, id: 'm5', status: 'rejected' }] }),
      '/results/4/error must be an object',
    ],
    [
      'a lastSeq below the mutations',
      (b) => ({ ...b, lastSeq: 4 }),
      '/lastSeq must be at least 5: every mutation was executed',
    ],
    ['another protocol', (b) => ({ ...b, protocol: 2 }), '/protocol must be 1'],
    ['no cursor', ({ cursor: _, ...b }) => b, '/cursor must be a non-negative integer'],
    ['not an object', () => [], 'the body must be an object'],
  ])('refuses %s', (_, change, message) => {
    expect(refusal(() => assertPushResponse(change(answer()), sent))).toBe(message);
  });
});

describe('assertPullResponse', () => {
  const envelope = (seq: number) => ({
    table: 'cards',
    id: ID,
    workspaceId: ID,
    version: 1,
    seq,
    deleted: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fields: {},
  });
  const page = { protocol: 1, changes: [envelope(3), envelope(5)], cursor: 9, hasMore: false, horizon: 0 };

  it('passes a page of envelopes in seq order, and an empty one', () => {
    expect(refusal(() => assertPullResponse(page))).toBeNull();
    expect(refusal(() => assertPullResponse({ ...page, changes: [] }))).toBeNull();
  });

  it('passes a purged tombstone', () => {
    const purged = { ...envelope(3), deleted: true, purged: true };
    expect(refusal(() => assertPullResponse({ ...page, changes: [purged] }))).toBeNull();
  });

  it.each<[string, unknown, string]>([
    [
      'changes out of order',
      { ...page, changes: [envelope(5), envelope(3)] },
      '/changes/1/seq must be above the seq before it',
    ],
    [
      'a change without fields',
      { ...page, changes: [{ ...envelope(3), fields: null }] },
      '/changes/0/fields must be an object',
    ],
    [
      'a change without its table',
      { ...page, changes: [{ ...envelope(3), table: 7 }] },
      '/changes/0/table must be a string',
    ],
    ['a cursor below the last change', { ...page, cursor: 4 }, '/cursor must not be below the last change'],
    ['no hasMore', { ...page, hasMore: undefined }, '/hasMore must be true or false'],
    ['no horizon', { ...page, horizon: undefined }, '/horizon must be a non-negative integer'],
    [
      'a purged mark that is not true',
      { ...page, changes: [{ ...envelope(3), deleted: true, purged: false }] },
      '/changes/0/purged must be true when present',
    ],
    [
      'a purged record that is not deleted',
      { ...page, changes: [{ ...envelope(3), purged: true }] },
      '/changes/0/purged must only mark a deleted record',
    ],
  ])('refuses %s', (_, value, message) => {
    expect(refusal(() => assertPullResponse(value))).toBe(message);
  });
});
