/** Turns a parsed bookmarks tree into an import plan: folders become collections, links cards. */
import { CARD_LIMITS, newId, normalizeUrl, validateFields } from '../../protocol/index.ts';
import { cleanField, type ImportPlan, type PlannedRecord, validatePlan } from './import-plan.ts';
import { type Bookmark, type BookmarkFolder, parseNetscapeBookmarks } from './netscape-bookmarks.ts';
import { collectionPathKey, emptyWorkspaceIndex, type WorkspaceIndex } from './workspace-index.ts';

function cleanTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => cleanField(tag.trim(), 64).trim()).filter(Boolean))].slice(0, 50);
}

/** Seconds since the epoch as the protocol's time, or undefined outside years 1971–9999. */
export function epochToTimestamp(seconds: number | undefined): string | undefined {
  if (seconds === undefined || seconds < 365 * 86_400 || seconds > 253_402_300_799) return undefined;
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A favicon the protocol takes as it is (a raster data URL, ≤ 8192 characters); others are left to the server's fetch. */
function usableIcon(icon: string | undefined): string | undefined {
  if (!icon || icon.length > CARD_LIMITS.favicon) return undefined;
  return validateFields('cards', { favicon: icon }, 'patch').length === 0 ? icon : undefined;
}

/** A bookmark's or folder's dates (ADD_DATE, LAST_MODIFIED) as `savedAt` and `modifiedAt`. */
function keptDates(node: Bookmark | BookmarkFolder): Record<string, string> {
  const dates: Record<string, string> = {};
  const savedAt = epochToTimestamp(node.addDate);
  if (savedAt) dates.savedAt = savedAt;
  const modifiedAt = epochToTimestamp(node.lastModified);
  if (modifiedAt) dates.modifiedAt = modifiedAt;
  return dates;
}

/** What a bookmark keeps beyond its link and title: dates, icon, keyword. */
function keptDetails(bookmark: Bookmark): Record<string, unknown> {
  const details: Record<string, unknown> = keptDates(bookmark);
  const favicon = usableIcon(bookmark.icon);
  if (favicon) details.favicon = favicon;
  return details;
}

/** A folder's name as a collection's: what its path is matched by. */
function folderName(folder: BookmarkFolder): string {
  return cleanField(folder.title, 100).trim() || 'Untitled folder';
}

class PlanBuilder {
  readonly records: PlannedRecord[] = [];
  readonly existingIds = new Set<string>();
  skipped = 0;
  private readonly cardsByUrl = new Map<string, PlannedRecord>();

  constructor(private readonly workspace: WorkspaceIndex) {}

  /** A folder the workspace has at the same path is reused; another becomes a new collection. */
  addFolder(folder: BookmarkFolder, parent: { key: string | null; path: string[] }, position: number): void {
    const name = folderName(folder);
    const path = [...parent.path, name];
    let key = this.workspace.collectionsByPath.get(collectionPathKey(path));
    if (key) {
      this.existingIds.add(key);
    } else {
      key = newId();
      // Two folders of one path in the file are one collection, as they would be on a second import.
      this.workspace.collectionsByPath.set(collectionPathKey(path), key);
      this.records.push({
        key,
        table: 'collections',
        fields: { name, parentId: parent.key, position, ...keptDates(folder) },
      });
    }
    this.addChildren(folder, { key, path });
  }

  addChildren(folder: BookmarkFolder, collection: { key: string | null; path: string[] }): void {
    folder.children.forEach((child, position) => {
      if (child.kind === 'folder') this.addFolder(child, collection, position);
      else this.addBookmark(child, collection.key);
    });
  }

  private addBookmark(bookmark: Bookmark, collectionKey: string | null): void {
    const url = bookmark.url.length <= 2048 ? normalizeUrl(bookmark.url) : null;
    if (!url || url.length > 2048 || this.workspace.urls.has(url)) {
      this.skipped++;
      return;
    }
    const seen = this.cardsByUrl.get(url);
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
        url,
        title: cleanField(bookmark.title, 500) || cleanField(url, 500),
        description: bookmark.description ? cleanField(bookmark.description, 2000) : null,
        content: bookmark.note ? cleanField(bookmark.note, 200_000) : '',
        tags: cleanTags(bookmark.shortcut ? [...bookmark.tags, `keyword:${bookmark.shortcut}`] : bookmark.tags),
        collectionIds: collectionKey ? [collectionKey] : [],
        pinned: bookmark.pinned === true,
        ...keptDetails(bookmark),
      },
    };
    this.cardsByUrl.set(url, card);
    this.records.push(card);
  }
}

/**
 * Plans the import of a bookmarks tree into a workspace holding `workspace`: links it already
 * has (by normalised URL) are skipped, folders it already has (by path) are filled, not made
 * again, so importing one file twice adds nothing.
 */
export function planBookmarkTree(root: BookmarkFolder, workspace: WorkspaceIndex = emptyWorkspaceIndex()): ImportPlan {
  const builder = new PlanBuilder({ ...workspace, collectionsByPath: new Map(workspace.collectionsByPath) });
  builder.addChildren(root, { key: null, path: [] });
  // Collections first, so every card's collections exist when it is created.
  const records = [
    ...builder.records.filter((record) => record.table === 'collections'),
    ...builder.records.filter((record) => record.table === 'cards'),
  ];
  const plan = { records, skipped: builder.skipped, existingIds: [...builder.existingIds] };
  validatePlan(plan, (record) => `${record.table === 'cards' ? 'Link' : 'Folder'} “${describeRecord(record)}”`);
  return plan;
}

/** Parses and validates a bookmarks.html; throws ImportError (nothing changed) when it cannot. */
export function planBookmarksImport(html: string, workspace?: WorkspaceIndex): ImportPlan {
  return planBookmarkTree(parseNetscapeBookmarks(html), workspace);
}

function describeRecord(record: PlannedRecord): string {
  return String(record.fields.title ?? record.fields.name ?? record.key).slice(0, 60);
}
