/** Which stored images the cards refer to, as the media reaper reads them from the records. */

const MEDIA_FILE_PATH = /^\/media\/([0-9a-f]{64})\.webp$/;

/** A (user, image hash) pair as one key. */
export function mediaReferenceKey(userId: string, hash: string): string {
  return `${userId}\u0000${hash}`;
}

/** The (user, hash) keys of the `/media/` images in cards' `image` and `favicon`. */
export function mediaReferences(rows: Iterable<{ owner_id: string; image: unknown; favicon: unknown }>): Set<string> {
  const keys = new Set<string>();
  for (const row of rows) {
    for (const value of [row.image, row.favicon]) {
      const hash = typeof value === 'string' ? MEDIA_FILE_PATH.exec(value)?.[1] : undefined;
      if (hash) keys.add(mediaReferenceKey(row.owner_id, hash));
    }
  }
  return keys;
}
