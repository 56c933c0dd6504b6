/** What a workspace already holds, as an import matches it: links by normalised URL, collections by path. */
import { normalizeUrl } from '../../protocol/index.ts';
import type { BurrowClient, RecordView } from '../api/client.ts';

/** The names of a collection and its ancestors, outermost first, as one key. */
export function collectionPathKey(names: readonly string[]): string {
  return names.join('\u0000');
}

export interface WorkspaceIndex {
  /** Live link cards by normalised URL. */
  urls: Map<string, string>;
  /** Live collections by their path of names within the workspace. */
  collectionsByPath: Map<string, string>;
  /** Live notes by title and content, so a Burrow export's notes are not imported twice. */
  notes: Map<string, string>;
  /** Live todos and events by `entryKey`. */
  entries: Set<string>;
}

/** A todo or event as a Burrow export's import matches it: its text, day, time and card. */
export function entryKey(table: 'todos' | 'events', fields: Record<string, unknown>): string {
  const parts =
    table === 'todos'
      ? [fields.text, fields.due, null, fields.cardId]
      : [fields.title, fields.date, fields.start, fields.cardId];
  return [table, ...parts.map((part) => String(part ?? ''))].join('\u0000');
}

export function noteKey(fields: Record<string, unknown>): string {
  return `${String(fields.title ?? '')}\u0000${String(fields.content ?? '')}`;
}

export function emptyWorkspaceIndex(): WorkspaceIndex {
  return { urls: new Map(), collectionsByPath: new Map(), notes: new Map(), entries: new Set() };
}

/** Indexes live cards and collections (the Trash is not matched: restoring is the person's choice). */
export function indexRecords(
  cards: RecordView[],
  collections: RecordView[],
  entries: { todos?: RecordView[]; events?: RecordView[] } = {},
): WorkspaceIndex {
  const index = emptyWorkspaceIndex();
  for (const card of cards) {
    if (card.deleted) continue;
    const url = typeof card.fields.url === 'string' ? normalizeUrl(card.fields.url) : null;
    if (url && !index.urls.has(url)) index.urls.set(url, card.id);
    else if (card.fields.kind === 'note') index.notes.set(noteKey(card.fields), card.id);
  }
  for (const table of ['todos', 'events'] as const) {
    for (const entry of entries[table] ?? []) if (!entry.deleted) index.entries.add(entryKey(table, entry.fields));
  }
  const live = collections.filter((collection) => !collection.deleted);
  const byId = new Map(live.map((collection) => [collection.id, collection]));
  const pathOf = (collection: RecordView): string[] => {
    const names: string[] = [];
    const seen = new Set<string>();
    for (let at: RecordView | undefined = collection; at && !seen.has(at.id); ) {
      seen.add(at.id);
      names.unshift(String(at.fields.name));
      at = byId.get(at.fields.parentId as string);
    }
    return names;
  };
  // Oldest first (UUIDv7 ids): of two collections with one path, the older one is matched.
  for (const collection of [...live].sort((a, b) => a.id.localeCompare(b.id))) {
    const key = collectionPathKey(pathOf(collection));
    if (!index.collectionsByPath.has(key)) index.collectionsByPath.set(key, collection.id);
  }
  return index;
}

/** Reads the workspace's live records into an index. */
export async function readWorkspaceIndex(
  client: Pick<BurrowClient, 'list'>,
  workspaceId: string,
): Promise<WorkspaceIndex> {
  const [cards, collections, todos, events] = await Promise.all(
    (['cards', 'collections', 'todos', 'events'] as const).map((table) => client.list(table, { workspaceId })),
  );
  return indexRecords(cards, collections, { todos, events });
}
