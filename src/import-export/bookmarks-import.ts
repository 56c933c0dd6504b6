/** Turns a parsed bookmarks tree into an import plan: folders become collections, links cards. */
import { newId } from '../../protocol/index.ts';
import { cleanField, type ImportPlan, type PlannedRecord, validatePlan } from './import-plan.ts';
import { type Bookmark, type BookmarkFolder, parseNetscapeBookmarks } from './netscape-bookmarks.ts';

export interface BookmarksImportOptions {
  /** URLs of the workspace's live link cards: bookmarks of these are skipped, not duplicated. */
  existingUrls?: ReadonlySet<string>;
}

function isHttpUrl(raw: string): boolean {
  if (raw.length > 2048) return false;
  try {
    const { protocol } = new URL(raw);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function cleanTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => cleanField(tag, 64).trim()).filter(Boolean))].slice(0, 50);
}

class PlanBuilder {
  readonly records: PlannedRecord[] = [];
  skipped = 0;
  private readonly cardsByUrl = new Map<string, PlannedRecord>();

  constructor(private readonly existingUrls: ReadonlySet<string>) {}

  addFolder(folder: BookmarkFolder, parentKey: string | null, position: number): void {
    const key = newId();
    const name = cleanField(folder.title, 100).trim() || 'Untitled folder';
    this.records.push({ key, table: 'collections', fields: { name, parentId: parentKey, position } });
    this.addChildren(folder, key);
  }

  addChildren(folder: BookmarkFolder, collectionKey: string | null): void {
    folder.children.forEach((child, position) => {
      if (child.kind === 'folder') this.addFolder(child, collectionKey, position);
      else this.addBookmark(child, collectionKey);
    });
  }

  private addBookmark(bookmark: Bookmark, collectionKey: string | null): void {
    if (!isHttpUrl(bookmark.url) || this.existingUrls.has(bookmark.url)) {
      this.skipped++;
      return;
    }
    const seen = this.cardsByUrl.get(bookmark.url);
    if (seen) {
      // The same link in two folders is one card filed in both collections.
      const collectionIds = seen.fields.collectionIds as string[];
      if (collectionKey && !collectionIds.includes(collectionKey)) collectionIds.push(collectionKey);
      return;
    }
    const card: PlannedRecord = {
      key: newId(),
      table: 'cards',
      fields: {
        kind: 'link',
        url: bookmark.url,
        title: cleanField(bookmark.title, 500) || cleanField(bookmark.url, 500),
        description: bookmark.description ? cleanField(bookmark.description, 2000) : null,
        content: '',
        tags: cleanTags(bookmark.tags),
        collectionIds: collectionKey ? [collectionKey] : [],
        pinned: false,
      },
    };
    this.cardsByUrl.set(bookmark.url, card);
    this.records.push(card);
  }
}

/** Parses and validates a bookmarks.html; throws ImportError (nothing changed) when it cannot. */
export function planBookmarksImport(html: string, options: BookmarksImportOptions = {}): ImportPlan {
  const root = parseNetscapeBookmarks(html);
  const builder = new PlanBuilder(options.existingUrls ?? new Set());
  builder.addChildren(root, null);
  // Collections first, so every card's collections exist when it is created.
  const records = [
    ...builder.records.filter((record) => record.table === 'collections'),
    ...builder.records.filter((record) => record.table === 'cards'),
  ];
  const plan = { records, skipped: builder.skipped };
  validatePlan(plan, (record) => `${record.table === 'cards' ? 'Link' : 'Folder'} “${describeRecord(record)}”`);
  return plan;
}

function describeRecord(record: PlannedRecord): string {
  return String(record.fields.title ?? record.fields.name ?? record.key).slice(0, 60);
}
