/** Builds a bookmarks tree from flat rows that name their folder by a path (`Parent/Child`), as CSV exports do. */
import type { Bookmark, BookmarkFolder } from './netscape-bookmarks.ts';

/** Files bookmarks into a tree of folders, made as their paths first appear. */
export class FolderTree {
  readonly root: BookmarkFolder = { kind: 'folder', title: '', children: [] };
  private readonly folders = new Map<string, BookmarkFolder>();

  /** Adds `bookmark` to the folder at `path` (names outermost first; empty: the top). */
  add(path: string[], bookmark: Bookmark): void {
    this.folder(path).children.push(bookmark);
  }

  private folder(path: string[]): BookmarkFolder {
    let folder = this.root;
    for (let depth = 0; depth < path.length; depth++) {
      const key = path.slice(0, depth + 1).join('\u0000');
      let child = this.folders.get(key);
      if (!child) {
        child = { kind: 'folder', title: path[depth], children: [] };
        this.folders.set(key, child);
        folder.children.push(child);
      }
      folder = child;
    }
    return folder;
  }
}

/** A folder path as Raindrop and Burrow's CSV write it: names joined by `/`. */
export function splitFolderPath(raw: string | undefined): string[] {
  return (raw ?? '')
    .split('/')
    .map((name) => name.trim())
    .filter(Boolean);
}
