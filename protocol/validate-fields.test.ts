import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import { validateFields } from './validate-fields.ts';

const card = { kind: 'note', title: 'A', content: '', tags: [], collectionIds: [], pinned: false };

describe('validateFields', () => {
  describe('create', () => {
    it('accepts a whole note card', () => {
      expect(validateFields('cards', card, 'create')).toEqual([]);
    });

    it('requires every non-optional field', () => {
      expect(validateFields('todos', { text: 'x' }, 'create')).toEqual([
        { pointer: '/done', detail: 'is required' },
        { pointer: '/position', detail: 'is required' },
      ]);
    });

    it('requires a URL on a link card', () => {
      expect(validateFields('cards', { ...card, kind: 'link' }, 'create')).toEqual([
        { pointer: '/url', detail: 'is required for a link card' },
      ]);
    });
  });

  describe('patch', () => {
    it('checks only the fields present', () => {
      expect(validateFields('cards', { title: 'New' }, 'patch')).toEqual([]);
    });

    it('rejects unknown fields, nulls of required fields and control characters', () => {
      const errors = validateFields('cards', { bogus: 1, kind: null, title: 'a\u0007' }, 'patch');
      expect(errors.map((error) => error.pointer)).toEqual(['/bogus', '/kind', '/title']);
    });

    it('rejects field names inherited from Object.prototype as unknown', () => {
      const fields = JSON.parse('{"toString": 1, "constructor": 2, "__proto__": 3}');
      expect(validateFields('cards', fields, 'patch').map((error) => error.pointer)).toEqual([
        '/toString',
        '/constructor',
        '/__proto__',
      ]);
    });

    it('allows null for optional fields', () => {
      expect(validateFields('cards', { url: null, description: null }, 'patch')).toEqual([]);
    });

    it('points into arrays and nested objects', () => {
      const errors = validateFields('viewSettings', { filters: { tags: ['ok', ''], kind: 'video' } }, 'patch');
      expect(errors.map((error) => error.pointer)).toEqual(['/filters/tags/1', '/filters/kind']);
    });
  });

  describe('limits', () => {
    it('counts characters, not UTF-16 units', () => {
      expect(validateFields('workspaces', { name: '😀'.repeat(100) }, 'patch')).toEqual([]);
      expect(validateFields('workspaces', { name: '😀'.repeat(101) }, 'patch')).toHaveLength(1);
    });

    it('rejects dates that do not exist and times out of range', () => {
      const errors = validateFields('events', { date: '2026-02-29', start: '24:00', end: '23:59' }, 'patch');
      expect(errors.map((error) => error.pointer)).toEqual(['/date', '/start']);
    });

    it('accepts only http(s) URLs and lowercase UUIDs', () => {
      const errors = validateFields(
        'cards',
        { url: 'javascript:alert(1)', collectionIds: [newId(), newId().toUpperCase()] },
        'patch',
      );
      expect(errors.map((error) => error.pointer)).toEqual(['/url', '/collectionIds/1']);
    });
  });
});
