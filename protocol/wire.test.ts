import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import { parsePushRequest } from './wire.ts';

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
