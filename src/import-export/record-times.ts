/** Times an export writes: a record's creation time, read from its UUIDv7 id. */

/** When the record was created (the milliseconds of its UUIDv7 id), or undefined for another kind of id. */
export function createdAtOf(id: string): string | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7/.test(id)) return undefined;
  const milliseconds = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  return new Date(milliseconds).toISOString();
}

/** When a card was saved or a folder made: its `savedAt`, or its creation time. */
export function savedAtOf(card: { id: string; fields: Record<string, unknown> }): string | undefined {
  return typeof card.fields.savedAt === 'string' ? card.fields.savedAt : createdAtOf(card.id);
}

/** An ISO time as whole seconds since the epoch (bookmarks.html's ADD_DATE). */
export function epochSeconds(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
}
