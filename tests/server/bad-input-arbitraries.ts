/** fast-check generators of malformed input: bodies, headers, field values, cursors, names. */
import fc from 'fast-check';
import { type Mutation, newId, TABLE_NAMES, type TableName, validateFields } from '../../protocol/index.ts';
import { noteCard } from '../support/api-client.ts';

/** Whole, valid records per table: the starting point that one defect is applied to. */
export function validFields(table: TableName, workspaceId: string): Record<string, unknown> {
  switch (table) {
    case 'workspaces':
      return { name: 'Home' };
    case 'collections':
      return { name: 'Reading', position: 1 };
    case 'cards':
      return noteCard();
    case 'todos':
      return { text: 'Water the plants', done: false, position: 1 };
    case 'events':
      return { title: 'Dentist', date: '2026-03-01' };
    case 'viewSettings':
      return { viewKey: `cards:${workspaceId}`, layout: 'grid', sortBy: 'updated', sortDir: 'desc', filters: {} };
  }
}

/** Names that have tripped real servers: prototype members, encodings, traversal, long and empty. */
export const trickyNames = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'prototype',
  'Cards',
  'CARDS',
  'cards ',
  'card',
  '',
  ' ',
  '..',
  '%2e%2e',
  'cards%00',
  'cards;drop',
  "cards' OR '1'='1",
  '𝔠𝔞𝔯𝔡𝔰',
  'x'.repeat(300),
);

/** Any string, weighted toward the shapes parsers mishandle. */
export const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  trickyNames,
  fc.constantFrom('a\u0000b', 'a\u0007', '\u001b[31m', 'a\u007f', 'a\u0085', '\ud800', 'ǅ', '\t\n\r'),
);

/** Values of every JSON type, plus strings sized just past the protocol's limits. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  anyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(anyString, { maxLength: 3 }),
  fc.dictionary(anyString, anyString, { maxKeys: 3 }),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.constantFrom(101, 501, 1001, 2001, 2049, 10_001, 200_001).map((length) => 'x'.repeat(length)),
  fc.constantFrom(
    'link',
    'note',
    'video',
    'grid',
    'tiles',
    'desc',
    'sideways',
    '2026-02-30',
    '2026-13-01',
    '2026-1-1',
    '24:00',
    '9:30',
    '#12345g',
    'red',
    'javascript:alert(1)',
    'ftp://example.com/',
    'http://',
    '/relative',
    `https://example.com/${'a'.repeat(2048)}`,
  ),
);

/** A field name of the table, or one it does not have. */
function fieldName(table: TableName): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom(...Object.keys(validFields(table, newId()))), trickyNames, fc.string());
}

/** Fields of `table` the protocol's own validator rejects (it is the oracle of what is invalid). */
export function invalidFields(
  table: TableName,
  workspaceId: string,
  mode: 'create' | 'patch',
): fc.Arbitrary<Record<string, unknown>> {
  const base = mode === 'create' ? validFields(table, workspaceId) : {};
  const overrides = fc.array(fc.tuple(fieldName(table), anyValue), { minLength: 1, maxLength: 3 });
  const keys = Object.keys(base);
  const dropped = fc.subarray(keys, { maxLength: Math.min(2, keys.length) });
  return fc
    .tuple(overrides, dropped)
    .map(([pairs, drop]) => {
      const fields: Record<string, unknown> = { ...base };
      for (const key of drop) delete fields[key];
      // defineProperty, so a `__proto__` key is an own property as JSON.parse would make it.
      for (const [key, value] of pairs) Object.defineProperty(fields, key, { value, enumerable: true, writable: true });
      return fields;
    })
    .filter((fields) => validateFields(table, fields, mode).length > 0);
}

export const anyTable = fc.constantFrom(...TABLE_NAMES);

/** Idempotency-Key values the protocol refuses: empty, too long, unbalanced quotes, raw 8-bit bytes. */
export const badIdempotencyKey = fc.oneof(
  fc.constantFrom(
    '',
    '   ',
    '"',
    '"unterminated',
    'x'.repeat(256),
    `"${'x'.repeat(256)}"`,
    '"bad \\q escape"',
    'two words',
  ),
  // Framed by letters so trimming cannot shorten it below the limit.
  fc.string({ minLength: 256, maxLength: 400, unit: 'grapheme-ascii' }).map((text) => `k${text}k`),
);

/** Idempotency-Key values of every shape, valid or not, that a Headers object can carry. */
export const anyIdempotencyKey = fc.oneof(
  badIdempotencyKey,
  fc.uuid(),
  fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
  fc
    .string({ maxLength: 40 })
    .map((text) => Array.from(text, (char) => String.fromCharCode(char.charCodeAt(0) & 0xff)).join('')),
);

/** Header values a fetch Headers object accepts (no CR, LF or NUL; 8-bit at most). */
export function headerSafe(value: string): string {
  return Array.from(value, (char) => String.fromCharCode(char.charCodeAt(0) & 0xff))
    .join('')
    .replace(/[\r\n\0]/g, '');
}

/** Bodies that are not a push request: garbage text, bytes, JSON of other shapes, truncations. */
export const garbageBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 64 }),
  fc.json(),
  fc.constantFrom(
    '',
    '{',
    '[]',
    'null',
    '0',
    '"text"',
    '{"protocol":1',
    '{"__proto__":{"admin":true}}',
    '\u0000',
    '\ufeff{}',
  ),
);

/** A push request, one part of which is wrong in a way that refuses the whole request. */
export type PushDefect = (body: Record<string, unknown>, mutation: Record<string, unknown>) => void;

/** One defect per entry; each leaves the rest of the request valid. */
export const pushDefect: fc.Arbitrary<PushDefect> = fc.oneof(
  fc.constantFrom(0, 2, '1', null, 1.5).map((protocol) => (body: Record<string, unknown>) => {
    body.protocol = protocol;
  }),
  fc.constant((body: Record<string, unknown>) => {
    delete body.protocol;
  }),
  fc
    .constantFrom('', 'not-a-uuid', newId().toUpperCase(), 42, null)
    .map((clientId) => (body: Record<string, unknown>) => {
      body.clientId = clientId;
    }),
  fc.constantFrom(undefined, {}, [], 'mutations', [null], [1]).map((mutations) => (body: Record<string, unknown>) => {
    body.mutations = mutations;
  }),
  fc.constant((body: Record<string, unknown>) => {
    body.extra = true;
  }),
  fc
    .tuple(
      fc.constantFrom(
        'seq',
        'id',
        'op',
        'recordId',
        'workspaceId',
        'baseVersion',
        'clientTime',
        'table',
        'fields',
        'extra',
      ),
      fc.constantFrom(0, -1, 1.5, '1', 2 ** 53, null, 'upsert', 'x'.repeat(65), 'NOT-A-UUID', 'fields', true),
    )
    .filter(([key, value]) => !isValidMutationMember(key, value))
    .map(([key, value]) => (_body: Record<string, unknown>, mutation: Record<string, unknown>) => {
      mutation[key] = value;
    }),
  fc
    .constantFrom('seq', 'id', 'op', 'recordId', 'workspaceId', 'baseVersion', 'clientTime', 'table')
    .map((key) => (_body: Record<string, unknown>, mutation: Record<string, unknown>) => {
      delete mutation[key];
    }),
);

/** Whether a replaced member would still be valid in shape (those are not whole-request defects). */
function isValidMutationMember(key: string, value: unknown): boolean {
  if (key === 'table') return typeof value === 'string';
  if (key === 'clientTime') return typeof value === 'string' && value.length <= 64;
  if (key === 'baseVersion') return typeof value === 'number' && Number.isInteger(value) && value >= 0;
  if (key === 'seq') return typeof value === 'number' && Number.isInteger(value) && value >= 1;
  // `fields` is checked per mutation unless it is not an object at all.
  if (key === 'fields') return value !== null && typeof value === 'object';
  return false;
}

/** A push body with `mutation` in it, as a plain object a defect can edit. */
export function pushObject(
  clientId: string,
  mutation: Mutation,
): { body: Record<string, unknown>; mutation: Record<string, unknown> } {
  const editable: Record<string, unknown> = { ...mutation };
  return { body: { protocol: 1, clientId, mutations: [editable] }, mutation: editable };
}

/** Query values for cursor and limit: digits, signs, decimals, exponents, hex, blanks and junk. */
export const anyQueryNumber = fc.oneof(
  fc.nat().map(String),
  fc.integer({ min: -1000, max: -1 }).map(String),
  fc.constantFrom(
    '',
    ' ',
    '1.5',
    '1e3',
    '0x10',
    '+1',
    '-0',
    '01',
    '9'.repeat(20),
    String(2 ** 53),
    'NaN',
    'Infinity',
    'null',
    '[]',
    '1 ',
    '1,2',
  ),
  anyString,
);
