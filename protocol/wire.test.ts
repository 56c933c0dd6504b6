import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import type { Problem } from './problems.ts';
import { type Envelope, type MutationResult, originalOutcome, parsePushRequest } from './wire.ts';

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

  it('refuses fields that are not an object', () => {
    const parsed = parsePushRequest(pushWithFields('"name"'));
    expect(parsed.ok).toBe(false);
  });
});

describe('originalOutcome', () => {
  const base = { seq: 4, id: newId() };
  const record = { table: 'cards', id: newId() } as Envelope;
  const error: Problem = {
    type: '/docs/problems#not-found',
    title: 'Not found',
    status: 404,
    detail: 'x',
    code: 'not-found',
  };

  it('keeps a conflict’s code and field conflicts, without its record, seq or id', () => {
    const conflicts = [{ field: 'title', server: 'Theirs', client: 'Mine' }];
    const result: MutationResult = { ...base, status: 'conflict', code: 'field-conflict', conflicts, record };
    expect(originalOutcome(result)).toEqual({ status: 'conflict', code: 'field-conflict', conflicts });
  });

  it('keeps a conflict without field conflicts as just its code', () => {
    expect(originalOutcome({ ...base, status: 'conflict', code: 'deleted', record })).toEqual({
      status: 'conflict',
      code: 'deleted',
    });
  });

  it('keeps a rejection’s error', () => {
    expect(originalOutcome({ ...base, status: 'rejected', error })).toEqual({ status: 'rejected', error });
  });

  it('keeps nothing of an applied or duplicate result', () => {
    expect(originalOutcome({ ...base, status: 'applied', record })).toBeUndefined();
    expect(originalOutcome({ ...base, status: 'duplicate', record })).toBeUndefined();
  });
});
