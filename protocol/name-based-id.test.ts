import { describe, expect, it } from 'vitest';
import { nameBasedId, viewSettingsId } from './name-based-id.ts';

describe('nameBasedId', () => {
  it('is the UUIDv5 of RFC 9562 (the DNS namespace vector Python also gives)', async () => {
    expect(await nameBasedId('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('gives each workspace and view key its own id, the same every time', async () => {
    const workspace = '01900000-0000-7000-8000-000000000001';
    const other = '01900000-0000-7000-8000-000000000002';
    const id = await viewSettingsId(workspace, 'cards:all');
    expect(await viewSettingsId(workspace, 'cards:all')).toBe(id);
    expect(await viewSettingsId(workspace, 'cards:trash')).not.toBe(id);
    expect(await viewSettingsId(other, 'cards:all')).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a namespace that is not a UUID', async () => {
    await expect(nameBasedId('workspace', 'x')).rejects.toThrow('lowercase UUID');
  });
});
