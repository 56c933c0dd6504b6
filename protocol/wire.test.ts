import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import type { Problem } from './problems.ts';
import { type MutationResult, originalOutcome, parsePushRequest } from './wire.ts';

function pushWithFields(fieldsJson: string): unknown {
  const id = newId();
  const mutation = `{"seq":1,"id":"${newId()}","table":"workspaces","op":"update","recordId":"${id}","workspaceId":"${id}","baseVersion":1,"clientTime":"2026-01-01T00:00:00Z","fields":${fieldsJson}}`;
  return JSON.parse(`{"protocol":1,"clientId":"${newId()}","mutations":[${mutation}]}`);
}

describe('parsePushRequest', () => {
  it('keeps every key of a mutation’s fields, __proto__ and constructor included, for the field check to reject', () => {
    const parsed = parsePushRequest(pushWithFields('{"name":"x","__proto__":1,"constructor":2}'));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(Object.keys(parsed.value.mutations[0].fields ?? {})).toEqual(['name', '__proto__', 'constructor']);
  });

  it('takes a purge, and names the ops it knows when the op is unknown', () => {
    const body = pushWithFields('{}') as { mutations: { op: string; fields?: unknown }[] };
    body.mutations[0].op = 'purge';
    delete body.mutations[0].fields;
    expect(parsePushRequest(body).ok).toBe(true);
    body.mutations[0].op = 'erase';
    const parsed = parsePushRequest(body);
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { pointer: '/mutations/0/op', detail: 'must be one of create, update, delete, restore, purge' },
    ]);
  });

  it('refuses fields that are not an object', () => {
    const parsed = parsePushRequest(pushWithFields('"name"'));
    expect(parsed.ok).toBe(false);
  });
});

describe('originalOutcome', () => {
  const base = { seq: 4, id: newId() };
  const stamp = { version: 3, seq: 40, deleted: false, updatedAt: '2026-01-01T00:00:00.000Z' };
  const error: Problem = {
    type: '/docs/problems#not-found',
    title: 'Not found',
    status: 404,
    detail: 'x',
    code: 'not-found',
  };

  it('keeps a conflict’s code and its fields by name, without their values, stamp, seq or id', () => {
    const conflicts = [
      { field: 'title', server: 'Theirs' },
      { field: 'content', omitted: true as const },
    ];
    const result: MutationResult = {
      ...base,
      status: 'conflict',
      code: 'field-conflict',
      conflicts,
      fromVersion: 2,
      stamp,
    };
    expect(originalOutcome(result)).toEqual({
      status: 'conflict',
      code: 'field-conflict',
      conflicts: [
        { field: 'title', omitted: true },
        { field: 'content', omitted: true },
      ],
    });
  });

  it('keeps a conflict without field conflicts as just its code, and duplicate-url’s existing card', () => {
    expect(originalOutcome({ ...base, status: 'conflict', code: 'deleted', fromVersion: 3, stamp })).toEqual({
      status: 'conflict',
      code: 'deleted',
    });
    const existingId = newId();
    expect(originalOutcome({ ...base, status: 'conflict', code: 'duplicate-url', existingId })).toEqual({
      status: 'conflict',
      code: 'duplicate-url',
      existingId,
    });
  });

  it('keeps a rejection’s error', () => {
    expect(originalOutcome({ ...base, status: 'rejected', error })).toEqual({ status: 'rejected', error });
  });

  it('keeps nothing of an applied or duplicate result', () => {
    expect(originalOutcome({ ...base, status: 'applied', fromVersion: 2, stamp })).toBeUndefined();
    expect(originalOutcome({ ...base, status: 'duplicate', stamp })).toBeUndefined();
  });
});
