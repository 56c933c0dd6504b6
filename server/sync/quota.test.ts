import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldsGrowth } from './quota.ts';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const fields = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });

describe('fieldsGrowth', () => {
  it('is what JSON.stringify of the record after takes more than before, for changes spread over fields', () => {
    fc.assert(
      fc.property(fields, fields, (before, changes) => {
        // Parsed, as fields come from the database and the request: no undefined, no -0.
        const [stored, changed] = [JSON.parse(JSON.stringify(before)), JSON.parse(JSON.stringify(changes))];
        const after = { ...stored, ...changed };
        expect(fieldsGrowth(stored, after)).toBe(bytes(after) - bytes(stored));
      }),
    );
  });

  it('is the whole record for a new one', () => {
    const record = { title: 'Ü', tags: ['a'] };
    expect(fieldsGrowth(null, record)).toBe(bytes(record));
  });
});
