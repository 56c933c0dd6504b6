/** The file formats an import reads, by the names the UI and `window.burrow.importText` use. */
import { planBookmarksImport } from './bookmarks-import.ts';
import { planBurrowJsonImport } from './burrow-json.ts';
import { ImportError } from './import-error.ts';
import type { ImportPlan } from './import-plan.ts';
import type { WorkspaceIndex } from './workspace-index.ts';

interface ImportFormatDefinition {
  /** What the UI calls it. */
  label: string;
  /** The file picker's `accept`. */
  accept: string;
  plan(text: string, workspace: WorkspaceIndex): ImportPlan;
}

export const IMPORT_FORMATS = {
  'bookmarks-html': {
    label: 'Browser bookmarks (bookmarks.html)',
    accept: '.html,.htm,text/html',
    plan: planBookmarksImport,
  },
  'burrow-json': {
    label: 'Burrow export (.json)',
    accept: '.json,application/json',
    plan: planBurrowJsonImport,
  },
} as const satisfies Record<string, ImportFormatDefinition>;

export type ImportFormat = keyof typeof IMPORT_FORMATS;

export function isImportFormat(name: unknown): name is ImportFormat {
  return typeof name === 'string' && Object.hasOwn(IMPORT_FORMATS, name);
}

/** Parses and validates `text` as `format`, planning what it adds to `workspace`. */
export function planImport(format: ImportFormat, text: string, workspace: WorkspaceIndex): ImportPlan {
  if (!isImportFormat(format)) {
    throw new ImportError(
      `Unknown import format “${String(format)}”; use one of ${Object.keys(IMPORT_FORMATS).join(', ')}.`,
    );
  }
  return IMPORT_FORMATS[format].plan(text, workspace);
}
