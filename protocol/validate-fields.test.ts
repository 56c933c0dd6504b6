import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import { serverOwnedFieldErrors, validateFields } from './validate-fields.ts';

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

describe('card preview fields', () => {
  const link = { ...card, kind: 'link', url: 'https://example.com/' };
  const hash = 'a'.repeat(64);

  it('accepts the fields a preview fills', () => {
    const fields = {
      ...link,
      description: 'About it',
      siteName: 'Example',
      image: `/media/${hash}.webp`,
      favicon: `/media/${hash}.webp`,
      articleText: 'The text.',
      savedAt: '2026-05-01T12:00:00Z',
      metadata: {
        status: 'ready',
        fetchedAt: '2026-05-01T12:00:01.123Z',
        canonicalUrl: 'https://example.com/',
        publishedAt: null,
        error: null,
      },
    };
    expect(validateFields('cards', fields, 'create')).toEqual([]);
  });

  it('accepts a raster data URL as a favicon, not SVG or a web address', () => {
    expect(validateFields('cards', { favicon: 'data:image/png;base64,iVBORw0KGgo=' }, 'patch')).toEqual([]);
    const refused = ['data:image/svg+xml;base64,PHN2Zz4=', 'https://example.com/favicon.ico', '/media/x.webp'];
    for (const favicon of refused) {
      expect(validateFields('cards', { favicon }, 'patch').map((error) => error.pointer)).toEqual(['/favicon']);
    }
  });

  it('refuses an image that is neither a media path nor a web address', () => {
    expect(validateFields('cards', { image: `/media/${hash}.png` }, 'patch')[0].pointer).toBe('/image');
    expect(validateFields('cards', { image: 'data:image/png;base64,AA==' }, 'patch')[0].pointer).toBe('/image');
  });

  it('bounds the article text and the site name', () => {
    expect(validateFields('cards', { articleText: 'x'.repeat(100_001) }, 'patch')[0].pointer).toBe('/articleText');
    expect(validateFields('cards', { siteName: 'x'.repeat(201) }, 'patch')[0].pointer).toBe('/siteName');
  });

  it('checks savedAt as an ISO time in UTC', () => {
    expect(validateFields('cards', { savedAt: '2026-05-01T12:00:00Z' }, 'patch')).toEqual([]);
    for (const savedAt of ['2026-05-01', '2026-05-01T12:00:00+02:00', '2026-13-01T12:00:00Z', 1714564800]) {
      expect(validateFields('cards', { savedAt }, 'patch')[0].pointer).toBe('/savedAt');
    }
  });

  it('checks modifiedAt as an ISO time in UTC', () => {
    expect(validateFields('cards', { modifiedAt: '2023-11-14T22:21:40Z' }, 'patch')).toEqual([]);
    expect(validateFields('cards', { modifiedAt: 1700000500 }, 'patch')[0].pointer).toBe('/modifiedAt');
  });

  it('checks the shape of metadata', () => {
    const errors = validateFields('cards', { metadata: { status: 'done', extra: 1 } }, 'patch');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.pointer.startsWith('/metadata'))).toBe(true);
  });

  it('names metadata as written by the server only', () => {
    expect(serverOwnedFieldErrors('cards', { title: 'x', metadata: null })).toEqual([
      { pointer: '/metadata', detail: 'is written by the server only' },
    ]);
    expect(serverOwnedFieldErrors('cards', { title: 'x', description: 'y' })).toEqual([]);
  });
});
