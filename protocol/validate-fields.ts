/** Field validation derived from the table definitions: the one check page, worker and server run. */
import * as v from 'valibot';
import type { FieldError } from './problems.ts';
import { type FieldDefinition, TABLES, type TableName } from './tables.ts';

/** `create` checks a whole record; `patch` checks only the fields present. */
export type ValidationMode = 'create' | 'patch';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Escapes a key for a JSON Pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

function issuePointer(field: string, issue: v.BaseIssue<unknown>): string {
  const path = (issue.path ?? []).map((item) => pointerSegment(item.key as string | number));
  return ['', pointerSegment(field), ...path].join('/');
}

function checkValue(table: TableName, field: string, value: unknown): FieldError[] {
  // Own keys only: `toString` or `__proto__` must be unknown fields, not Object.prototype members.
  const fields = TABLES[table].fields;
  const definition = Object.hasOwn(fields, field) ? fields[field] : undefined;
  if (!definition) return [unknownField(table, field)];
  if (value === null) {
    return definition.optional ? [] : [{ pointer: `/${pointerSegment(field)}`, detail: 'must not be null' }];
  }
  const result = v.safeParse(definition.schema, value);
  if (result.success) return [];
  return result.issues.map((issue) => ({ pointer: issuePointer(field, issue), detail: issue.message }));
}

/** No table has a field name this long: a longer unknown name is not repeated in the error. */
const MAX_FIELD_NAME = 64;

function unknownField(table: TableName, field: string): FieldError {
  if (field.length <= MAX_FIELD_NAME)
    return { pointer: `/${pointerSegment(field)}`, detail: `is not a field of ${table}` };
  return { pointer: '', detail: `has a field name of ${field.length} characters, which ${table} does not have` };
}

/**
 * Validates `fields` for `table`. Pointers are relative to the fields object (`/title`);
 * callers prefix them with where the fields sit in their body. Empty means valid.
 */
export function validateFields(table: TableName, fields: unknown, mode: ValidationMode): FieldError[] {
  if (!isPlainObject(fields)) return [{ pointer: '', detail: 'must be an object' }];
  const errors = Object.entries(fields).flatMap(([field, value]) => checkValue(table, field, value));
  if (mode === 'patch') return errors;
  const definition = TABLES[table];
  for (const [field, { optional }] of Object.entries(definition.fields)) {
    if (!optional && fields[field] === undefined) errors.push({ pointer: `/${field}`, detail: 'is required' });
  }
  if (errors.length === 0 && definition.check) errors.push(...definition.check(fields));
  return errors;
}

/** Prefixes relative field pointers with the pointer of the fields object in a body. */
export function prefixPointers(prefix: string, errors: FieldError[]): FieldError[] {
  return errors.map((error) => ({ ...error, pointer: `${prefix}${error.pointer}` }));
}

/**
 * The fields of a person's mutation that only the server writes (a card's `metadata`). Run on
 * what a client sends, not on whole records: a stored record carries the server's values.
 */
export function serverOwnedFieldErrors(table: TableName, fields: Record<string, unknown>): FieldError[] {
  const definitions: Record<string, FieldDefinition> = TABLES[table].fields;
  return Object.keys(fields)
    .filter((field) => Object.hasOwn(definitions, field) && 'serverOwned' in definitions[field])
    .map((field) => ({ pointer: `/${pointerSegment(field)}`, detail: 'is written by the server only' }));
}
